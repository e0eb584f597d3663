using LearnedSolvers.Devices;

namespace LearnedSolvers.Distributed;

/// <summary>
/// A vector of a <see cref="DistributedDevice"/>: its length is the global row count, its storage this rank's rows
/// (<see cref="Local"/>, on the local device). Host copies are of the whole vector: <see cref="DeviceBuffer{T}.CopyFrom"/>
/// takes this rank's rows from a global array, <see cref="DeviceBuffer{T}.CopyTo"/> gathers every rank's rows
/// (a collective: all ranks call it).
/// </summary>
public sealed class DistributedVector : DeviceVector
{
    private readonly DeviceVector _local;
    private readonly DistributedDevice _device;

    internal DistributedVector(DistributedDevice device, DeviceVector local) : base(device, device.Partition.GlobalRows)
    {
        _device = device;
        _local = local;
    }

    /// <summary>This rank's rows, on the local device: hand this to local algorithms (a per-rank preconditioner).</summary>
    public DeviceVector Local
    {
        get
        {
            ThrowIfDisposed();
            return _local;
        }
    }

    /// <summary>Takes this rank's rows from <paramref name="source"/>, a whole vector (no communication).</summary>
    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        Local.CopyFrom(source.Slice(_device.FirstRow, _device.LocalRows));
    }

    /// <summary>The whole vector into <paramref name="destination"/> on every rank: each rank's rows gathered (collective).</summary>
    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        var mine = new double[_device.LocalRows];
        Local.CopyTo(mine);
        _device.Gather(mine, destination);
    }

    /// <summary>Refused: a window of global indices would straddle ranks. View <see cref="Local"/> instead.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    protected override DeviceBuffer<double> CreateView(int offset, Shape shape) =>
        throw new NotSupportedException("A distributed vector's elements live on different ranks; take views of its Local part.");

    protected override void Release() => _local.Dispose();
}
