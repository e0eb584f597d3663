namespace LearnedSolvers.Devices;

/// <summary>
/// A few doubles that live on a device: the α, β, ρ and residual norms of an iteration that stays on the device, so
/// the host reads them only when it wants to (Ginkgo keeps such scalars in 1 x 1 device matrices). On the CPU device
/// they are a plain array.
/// </summary>
public abstract class DeviceScalars : IDisposable
{
    protected DeviceScalars(Device device, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        Device = device;
        Count = count;
    }

    public Device Device { get; }
    public int Count { get; }

    /// <summary>Copies all scalars to the host (waits for queued device work).</summary>
    public abstract void CopyTo(Span<double> destination);

    /// <summary>Sets all scalars from the host.</summary>
    public abstract void CopyFrom(ReadOnlySpan<double> source);

    /// <summary>True once disposed; any later use throws <see cref="ObjectDisposedException"/>, on every device.</summary>
    public bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    private int _disposed;

    public virtual void Dispose()
    {
        Volatile.Write(ref _disposed, 1);
        GC.SuppressFinalize(this);
    }

    /// <summary>Throws unless <paramref name="count"/> slots from <paramref name="slot"/> lie inside.</summary>
    internal void CheckSlots(int slot, int count, string argument)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (slot < 0 || slot + count > Count)
            throw new ArgumentOutOfRangeException(argument, slot, $"Slots {slot}..{slot + count - 1} lie outside the {Count} scalars.");
    }

    protected void CheckLength(int length, string argument)
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (length != Count) throw new ArgumentException($"{argument} has {length} entries; there are {Count} scalars.", argument);
    }
}

/// <summary>Device scalars in host memory.</summary>
internal sealed class CpuScalars(CpuDevice device, int count) : DeviceScalars(device, count)
{
    public double[] Values { get; } = new double[count];

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Values.CopyTo(destination);
    }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        source.CopyTo(Values);
    }
}
