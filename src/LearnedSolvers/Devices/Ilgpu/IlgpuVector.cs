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

    /// <summary>
    /// Vectors up to this many elements are copied through the device's page-locked staging array: ILGPU's copies
    /// from and to a span allocate a wrapper per call, which a halo exchange (a small copy every product) would pay per
    /// iteration. Longer copies keep ILGPU's path, so the staging array stays small (8 MiB at most).
    /// </summary>
    internal const int StagedCopyLimit = 1 << 20;

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        var device = (IlgpuDevice)Device;
        if (source.Length > StagedCopyLimit) _memory.CopyFrom(device, View, source);
        else using (device.Lock()) device.WriteFromHost(source, View);
    }

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        var device = (IlgpuDevice)Device;
        if (destination.Length > StagedCopyLimit) _memory.CopyTo(device, View, destination);
        else using (device.Lock()) device.ReadToHost(View, destination);
    }

    protected override DeviceBuffer<double> CreateView(int offset, Shape shape) => IlgpuBuffer<double>.Create((IlgpuDevice)Device, _memory.Window(offset, shape.Length), shape, this);

    protected override void Release() => _memory.Release();
}
