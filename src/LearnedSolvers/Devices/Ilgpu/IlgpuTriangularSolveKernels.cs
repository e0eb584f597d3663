using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>An ILGPU device's triangular solves: <see cref="TriangularSolveKernels"/>, loaded once per device.</summary>
internal sealed class IlgpuTriangularSolveKernels : ITriangularSolveKernels
{
    private readonly IlgpuDevice _device;

    public IlgpuTriangularSolveKernels(IlgpuDevice device)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        using (device.Lock())
        {
            SolveLevel = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<double>,
                ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>>(TriangularSolveKernels.SolveLevel<double>);
            SolveLevelSingle = device.Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>,
                ArrayView<float>, int, int, ArrayView<float>, ArrayView<float>>(TriangularSolveKernels.SolveLevel<float>);
        }
    }

    /// <summary>The compiled <see cref="TriangularSolveKernels.SolveLevel{T}"/>; launch under the device's <see cref="IlgpuDevice.Lock"/>.</summary>
    internal Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, int, int,
        ArrayView<double>, ArrayView<double>> SolveLevel { get; }

    /// <summary>The compiled <see cref="TriangularSolveKernels.SolveLevel{T}"/> for float.</summary>
    internal Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<float>, int, int,
        ArrayView<float>, ArrayView<float>> SolveLevelSingle { get; }

    public DeviceTriangularMatrix Upload(TriangularMatrix matrix, Precision precision = Precision.Double) =>
        new IlgpuTriangularMatrix(_device, this, matrix, precision);
}
