using ILGPU;
using ILGPU.Runtime;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>Device scalars in accelerator memory; kernels read and write them without a host round trip.</summary>
internal sealed class IlgpuScalars : DeviceScalars
{
    private MemoryBuffer1D<double, Stride1D.Dense>? _buffer;

    internal IlgpuScalars(IlgpuDevice device, int count) : base(device, count)
    {
        _buffer = device.AllocateBuffer<double>(count);
        using (device.Lock()) _buffer.MemSetToZero();
    }

    internal ArrayView<double> View => _buffer?.View ?? throw new ObjectDisposedException(nameof(IlgpuScalars));

    public override void CopyTo(Span<double> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        var device = (IlgpuDevice)Device;
        using (device.Lock()) device.ReadToHost(View, destination);
    }

    public override void CopyFrom(ReadOnlySpan<double> source)
    {
        CheckLength(source.Length, nameof(source));
        var device = (IlgpuDevice)Device;
        using (device.Lock()) device.WriteFromHost(source, View);
    }

    public override void Dispose()
    {
        Interlocked.Exchange(ref _buffer, null)?.Dispose();
        base.Dispose();
    }
}
