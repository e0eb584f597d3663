using LearnedSolvers.Devices;

namespace LearnedSolvers.Distributed;

/// <summary>
/// Scalars of a <see cref="DistributedDevice"/>: the same values on every rank, kept in the local device's scalars so
/// that the local kernels read and write them; a reduced slot is summed across ranks right after the local kernel
/// writes its partial. On an accelerator the local scalars go to the host and back for each such sum: MPI reads host
/// memory here, and the solver waits for the sum before its next step anyway.
/// </summary>
internal sealed class DistributedScalars : DeviceScalars
{
    private readonly DistributedDevice _device;
    private readonly double[] _staging;

    public DistributedScalars(DistributedDevice device, DeviceScalars local) : base(device, local.Count)
    {
        _device = device;
        Local = local;
        _staging = new double[local.Count];
    }

    /// <summary>The local device's scalars.</summary>
    public DeviceScalars Local { get; }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Local.CopyTo(destination);
    }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        Local.CopyFrom(source);
    }

    /// <summary>Slots [slot, slot + count) ← their sums over all ranks (each rank holds its partial there).</summary>
    public void SumAcrossRanks(int slot, int count)
    {
        CheckSlots(slot, count, nameof(slot));
        if (count == 0 || _device.Communicator.Size == 1) return;
        Local.CopyTo(_staging);
        _device.SumAcrossRanks(_staging.AsSpan(slot, count));
        Local.CopyFrom(_staging);
    }

    /// <summary>s[slot] ← <paramref name="value"/> (already the same on every rank).</summary>
    public void Set(int slot, double value)
    {
        CheckSlots(slot, 1, nameof(slot));
        Local.CopyTo(_staging);
        _staging[slot] = value;
        Local.CopyFrom(_staging);
    }

    public override void Dispose()
    {
        Local.Dispose();
        base.Dispose();
    }
}
