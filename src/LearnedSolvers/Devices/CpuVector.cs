namespace LearnedSolvers.Devices;

/// <summary>A vector in host memory, backed by a managed array that callers may wrap without copying.</summary>
public sealed class CpuVector : DeviceVector
{
    internal CpuVector(CpuDevice device, double[] data) : base(device, data.Length) => Data = data;

    /// <summary>The backing array (length equals <see cref="DeviceVector.Length"/>).</summary>
    public double[] Data { get; }

    public Span<double> Span => Data;

    /// <summary>Wraps an existing array on the CPU device: no copy, the solver writes into it.</summary>
    public static CpuVector Wrap(double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new CpuVector(CpuDevice.Instance, data);
    }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        source.CopyTo(Data);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Data.AsSpan().CopyTo(destination);
    }

    /// <summary>The CPU array behind <paramref name="v"/>; a clear error names the operator when the vector lives elsewhere.</summary>
    public static double[] DataOf(DeviceVector v, string usedBy)
    {
        ArgumentNullException.ThrowIfNull(v);
        return v is CpuVector c
            ? c.Data
            : throw new DeviceMismatchException($"{usedBy} runs on the CPU, but a vector on device '{v.Device.Name}' was given.");
    }
}
