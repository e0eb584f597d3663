using System.Runtime.CompilerServices;

namespace LearnedSolvers.Devices;

/// <summary>A buffer in host memory on the CPU device (any shape; the rank-1 double case is <see cref="CpuVector"/>).</summary>
public sealed class CpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly CpuMemory<T> _memory;

    internal CpuBuffer(CpuDevice device, CpuMemory<T> memory, Shape shape, DeviceBuffer<T>? parent) : base(device, shape, parent) => _memory = memory;

    /// <summary>The elements, in host memory.</summary>
    public Span<T> Span => Memory.Span;

    internal CpuMemory<T> Memory
    {
        get
        {
            ThrowIfDisposed();
            return _memory;
        }
    }

    public override void CopyFrom(ReadOnlySpan<T> source)
    {
        if (source.Length != Length) throw new ArgumentException($"source has length {source.Length}; the buffer has {Length}.", nameof(source));
        source.CopyTo(Span);
    }

    public override void CopyTo(Span<T> destination)
    {
        if (destination.Length != Length) throw new ArgumentException($"destination has length {destination.Length}; the buffer has {Length}.", nameof(destination));
        Span.CopyTo(destination);
    }

    protected override DeviceBuffer<T> CreateView(int offset, Shape shape) => Create((CpuDevice)Device, _memory.Window(offset, shape.Length), shape, this);

    /// <summary>The host memory behind any CPU buffer of <typeparamref name="T"/>, vectors included (for CPU kernels).</summary>
    internal static CpuMemory<T> MemoryOf(DeviceBuffer<T> buffer)
    {
        if (buffer is CpuBuffer<T> b) return b.Memory;
        if (buffer is CpuVector v)
        {
            var memory = v.Memory; // T is double here; reinterpreting avoids a boxing cast per call
            return Unsafe.As<CpuMemory<double>, CpuMemory<T>>(ref memory);
        }
        throw new DeviceMismatchException($"A buffer of type {buffer.GetType().Name} on '{buffer.Device.Name}' is not CPU memory.");
    }

    /// <summary>A CPU buffer over <paramref name="memory"/>: a <see cref="CpuVector"/> for a rank-1 double shape, else a <see cref="CpuBuffer{T}"/>.</summary>
    internal static DeviceBuffer<T> Create(CpuDevice device, CpuMemory<T> memory, Shape shape, DeviceBuffer<T>? parent) =>
        typeof(T) == typeof(double) && shape.Rank == 1
            ? (DeviceBuffer<T>)(object)new CpuVector(device, (CpuMemory<double>)(object)memory, (DeviceBuffer<double>?)(object?)parent)
            : new CpuBuffer<T>(device, memory, shape, parent);
}
