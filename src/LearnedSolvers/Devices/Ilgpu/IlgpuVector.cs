using ILGPU;
using ILGPU.Runtime;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>A vector in the memory of an ILGPU accelerator. <see cref="DeviceBuffer{T}.Dispose"/> frees that memory at once (idempotent).</summary>
public sealed class IlgpuVector : DeviceVector
{
    private readonly IlgpuMemory<double> _memory;

    internal IlgpuVector(IlgpuDevice device, IlgpuMemory<double> memory, DeviceBuffer<double>? parent = null)
        : base(device, checked((int)memory.View.Length), parent) => _memory = memory;

    /// <summary>The device memory, for kernels; throws once disposed.</summary>
    internal ArrayView1D<double, Stride1D.Dense> View
    {
        get
        {
            ThrowIfDisposed();
            return _memory.View;
        }
    }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        _memory.CopyFrom((IlgpuDevice)Device, View, source);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        _memory.CopyTo((IlgpuDevice)Device, View, destination);
    }

    protected override DeviceBuffer<double> CreateView(int offset, Shape shape) => IlgpuBuffer<double>.Create((IlgpuDevice)Device, _memory.Window(offset, shape.Length), shape, this);

    protected override void Release() => _memory.Release();
}
