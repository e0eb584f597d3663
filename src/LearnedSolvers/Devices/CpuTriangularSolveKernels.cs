using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>The CPU device's triangular solves (see <see cref="CpuTriangularMatrix"/> for how they run).</summary>
internal sealed class CpuTriangularSolveKernels(CpuDevice device) : ITriangularSolveKernels
{
    public DeviceTriangularMatrix Upload(TriangularMatrix matrix, Precision precision = Precision.Double) =>
        new CpuTriangularMatrix(device, matrix, precision: precision);
}
