using ILGPU;
using ILGPU.Runtime;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>A vector in the memory of an ILGPU accelerator. <see cref="Dispose"/> frees that memory at once (idempotent).</summary>
public sealed class IlgpuVector : DeviceVector
{
    private MemoryBuffer1D<double, Stride1D.Dense>? _buffer;

    internal IlgpuVector(IlgpuDevice device, MemoryBuffer1D<double, Stride1D.Dense> buffer) : base(device, checked((int)buffer.Length)) =>
        _buffer = buffer;

    /// <summary>True once <see cref="Dispose"/> has released the device memory.</summary>
    public bool IsDisposed => _buffer is null;

    /// <summary>The device memory, for kernels.</summary>
    internal ArrayView1D<double, Stride1D.Dense> View =>
        (_buffer ?? throw new ObjectDisposedException(nameof(IlgpuVector), "This device vector was disposed; its memory is released.")).View;

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        if (Length > 0) ((ArrayView<double>)View).CopyFromCPU(source);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        if (Length > 0) ((ArrayView<double>)View).CopyToCPU(destination);
    }

    public override void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        buffer?.Dispose();
        base.Dispose();
    }
}
