using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>An ILGPU device's <see cref="IBufferKernels"/>: one thread per element, kernels loaded once.</summary>
internal sealed class IlgpuBufferKernels : IBufferKernels
{
    private readonly IlgpuDevice _device;
    private readonly Action<Index1D, ArrayView<float>, ArrayView<double>> _toDouble;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<float>> _toSingle;
    private readonly Action<Index1D, float, ArrayView<float>> _fill;

    public IlgpuBufferKernels(IlgpuDevice device)
    {
        _device = device;
        using (device.Lock())
        {
            _toDouble = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<float>, ArrayView<double>>(BufferKernels.ToDouble);
            _toSingle = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<float>>(BufferKernels.ToSingle);
            _fill = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, float, ArrayView<float>>(BufferKernels.Fill);
        }
    }

    public void Convert(DeviceBuffer<float> source, DeviceBuffer<double> destination)
    {
        int n = BufferChecks.SameLength(_device, source, destination);
        if (n == 0) return;
        using (_device.Lock()) _toDouble(n, View(source), View(destination));
    }

    public void Convert(DeviceBuffer<double> source, DeviceBuffer<float> destination)
    {
        int n = BufferChecks.SameLength(_device, source, destination);
        if (n == 0) return;
        using (_device.Lock()) _toSingle(n, View(source), View(destination));
    }

    public void Copy(DeviceBuffer<float> source, DeviceBuffer<float> destination)
    {
        int n = BufferChecks.SameLength(_device, source, destination);
        if (n == 0) return;
        using (_device.Lock()) View(source).CopyTo(View(destination));
    }

    public void Fill(DeviceBuffer<float> x, float value)
    {
        BufferChecks.On(_device, x, nameof(x));
        if (x.Length == 0) return;
        using (_device.Lock()) _fill(x.Length, value, View(x));
    }

    internal static ArrayView1D<T, Stride1D.Dense> View<T>(DeviceBuffer<T> buffer) where T : unmanaged
    {
        if (buffer is IlgpuBuffer<T> b) return b.View;
        if (buffer is IlgpuVector v)
        {
            var view = v.View; // T is double here; reinterpreting avoids a boxing cast per call
            return Unsafe.As<ArrayView1D<double, Stride1D.Dense>, ArrayView1D<T, Stride1D.Dense>>(ref view);
        }
        throw new DeviceMismatchException($"A buffer of type {buffer.GetType().Name} is not ILGPU memory.");
    }
}
