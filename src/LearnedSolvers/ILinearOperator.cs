using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// Anything that maps a vector to a vector on a device: a sparse matrix, a preconditioner, a multigrid cycle,
/// a trained network. Solvers see only this interface (Ginkgo's LinOp).
/// </summary>
public interface ILinearOperator
{
    int Rows { get; }
    int Columns { get; }

    /// <summary>The device whose vectors <see cref="Apply"/> takes.</summary>
    Device Device { get; }

    /// <summary>y = Op x. <paramref name="x"/> and <paramref name="y"/> must not alias.</summary>
    void Apply(DeviceVector x, DeviceVector y);
}
