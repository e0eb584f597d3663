using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// Sparse triangular solves T x = b with a lower or upper CSR matrix and its level schedule: the application of
/// IC(0), ILU(0), SSOR and learned factors. The kernels know no algorithm: a triangular matrix, its schedule, a solve.
/// </summary>
public interface ITriangularSolveKernels
{
    /// <summary>The family: <c>device.Kernels(ITriangularSolveKernels.Family)</c> gives a device's implementation.</summary>
    static KernelFamily<ITriangularSolveKernels> Family { get; } = new(
        "triangular solves", cpu => new CpuTriangularSolveKernels(cpu), ilgpu => new IlgpuTriangularSolveKernels(ilgpu));

    /// <summary>
    /// Copies <paramref name="matrix"/> and its schedule to the device once, its values in <paramref name="precision"/>;
    /// the result solves with it until disposed.
    /// </summary>
    /// <exception cref="Preconditioners.ZeroPivotException">A stored diagonal entry is zero (or its reciprocal overflows single precision).</exception>
    DeviceTriangularMatrix Upload(TriangularMatrix matrix, Precision precision = Precision.Double);
}
