namespace LearnedSolvers.Devices;

/// <summary>A vector in host memory: a managed array (or a window of one, for a view) that callers may wrap without copying.</summary>
public sealed class CpuVector : DeviceVector
{
    private readonly CpuMemory<double> _memory;

    internal CpuVector(CpuDevice device, CpuMemory<double> memory, DeviceBuffer<double>? parent = null) : base(device, memory.Length, parent) => _memory = memory;

    /// <summary>The elements, in host memory.</summary>
    public Span<double> Span => Memory.Span;

    /// <summary>The array window behind this vector, for CPU kernels; throws once disposed.</summary>
    internal CpuMemory<double> Memory
    {
        get
        {
            ThrowIfDisposed();
            return _memory;
        }
    }

    /// <summary>Wraps an existing array on the CPU device: no copy, the solver writes into it.</summary>
    public static CpuVector Wrap(double[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new CpuVector(CpuDevice.Instance, new CpuMemory<double>(data, 0, data.Length));
    }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        source.CopyTo(Span);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Span.CopyTo(destination);
    }

    protected override DeviceBuffer<double> CreateView(int offset, Shape shape) => CpuBuffer<double>.Create((CpuDevice)Device, _memory.Window(offset, shape.Length), shape, this);

    /// <summary>The host memory behind <paramref name="v"/>; a clear error names the operator when the vector lives elsewhere.</summary>
    public static Span<double> SpanOf(DeviceVector v, string usedBy) => MemoryOf(v, usedBy).Span;

    /// <summary>The array window behind <paramref name="v"/>; a clear error names the operator when the vector lives elsewhere.</summary>
    internal static CpuMemory<double> MemoryOf(DeviceVector v, string usedBy)
    {
        ArgumentNullException.ThrowIfNull(v);
        return v is CpuVector c
            ? c.Memory
            : throw new DeviceMismatchException($"{usedBy} runs on the CPU, but a vector on device '{v.Device.Name}' was given.");
    }
}
