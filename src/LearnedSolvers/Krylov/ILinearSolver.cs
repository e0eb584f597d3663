using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>A solver bound to one operator (setup done): solves A x = b for any b, reusing its workspace.</summary>
public interface ILinearSolver
{
    ILinearOperator Operator { get; }
    SolverOptions Options { get; }

    /// <summary>Solves A x = b; <paramref name="x"/> holds the initial guess on entry and the solution on return.</summary>
    SolveResult Solve(DeviceVector b, DeviceVector x);
}
