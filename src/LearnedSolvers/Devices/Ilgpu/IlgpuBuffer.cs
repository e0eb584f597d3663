using ILGPU;
using ILGPU.Runtime;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A buffer in an ILGPU accelerator's memory (any shape; the rank-1 double case is <see cref="IlgpuVector"/>).
/// <see cref="DeviceBuffer{T}.Dispose"/> frees the memory at once.
/// </summary>
public sealed class IlgpuBuffer<T> : DeviceBuffer<T> where T : unmanaged
{
    private readonly IlgpuMemory<T> _memory;

    internal IlgpuBuffer(IlgpuDevice device, IlgpuMemory<T> memory, Shape shape, DeviceBuffer<T>? parent) : base(device, shape, parent) => _memory = memory;

    /// <summary>The device memory, for kernels; throws once disposed.</summary>
    internal ArrayView1D<T, Stride1D.Dense> View
    {
        get
        {
            ThrowIfDisposed();
            return _memory.View;
        }
    }

    public override void CopyFrom(ReadOnlySpan<T> source)
    {
        if (source.Length != Length) throw new ArgumentException($"source has length {source.Length}; the buffer has {Length}.", nameof(source));
        _memory.CopyFrom((IlgpuDevice)Device, View, source);
    }

    public override void CopyTo(Span<T> destination)
    {
        if (destination.Length != Length) throw new ArgumentException($"destination has length {destination.Length}; the buffer has {Length}.", nameof(destination));
        _memory.CopyTo((IlgpuDevice)Device, View, destination);
    }

    protected override DeviceBuffer<T> CreateView(int offset, Shape shape) => Create((IlgpuDevice)Device, _memory.Window(offset, shape.Length), shape, this);

    protected override void Release() => _memory.Release();

    /// <summary>An ILGPU buffer over <paramref name="memory"/>: an <see cref="IlgpuVector"/> for a rank-1 double shape, else an <see cref="IlgpuBuffer{T}"/>.</summary>
    internal static DeviceBuffer<T> Create(IlgpuDevice device, IlgpuMemory<T> memory, Shape shape, DeviceBuffer<T>? parent) =>
        typeof(T) == typeof(double) && shape.Rank == 1
            ? (DeviceBuffer<T>)(object)new IlgpuVector(device, (IlgpuMemory<double>)(object)memory, (DeviceBuffer<double>?)(object?)parent)
            : new IlgpuBuffer<T>(device, memory, shape, parent);
}
