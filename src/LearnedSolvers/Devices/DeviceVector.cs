namespace LearnedSolvers.Devices;

/// <summary>A vector of doubles that lives on a <see cref="Devices.Device"/>. Host copies happen only when asked.</summary>
public abstract class DeviceVector : IDisposable
{
    protected DeviceVector(Device device, int length)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Device = device;
        Length = length;
    }

    public Device Device { get; }
    public int Length { get; }

    /// <summary>Overwrites this vector with host values (same length).</summary>
    public abstract void CopyFrom(ReadOnlySpan<double> source);

    /// <summary>Copies this vector into host memory (same length).</summary>
    public abstract void CopyTo(Span<double> destination);

    /// <summary>A new host array holding this vector.</summary>
    public double[] ToArray()
    {
        var a = new double[Length];
        CopyTo(a);
        return a;
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    protected void CheckLength(int length, string argument)
    {
        if (length != Length) throw new ArgumentException($"{argument} has length {length}; the vector has {Length}.", argument);
    }
}
