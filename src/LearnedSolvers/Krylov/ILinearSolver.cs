using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// A solver bound to one operator (setup done): solves A x = b for any b, reusing its workspace, and releases that
/// workspace on <see cref="IDisposable.Dispose"/>.
/// <para>
/// Threads: one solver serves one solve at a time, because its workspace vectors hold the iteration. A second
/// <see cref="Solve"/> while one is running is refused with <see cref="InvalidOperationException"/>; create one solver
/// per thread. What a solver only reads may be shared by solvers on several threads: the operator (an uploaded matrix)
/// and the preconditioner's factors, as long as nobody refreshes their values meanwhile. The solver does not own
/// them and does not dispose them.
/// </para>
/// </summary>
public interface ILinearSolver : IDisposable
{
    ILinearOperator Operator { get; }
    SolverOptions Options { get; }

    /// <summary>Solves A x = b; <paramref name="x"/> holds the initial guess on entry and the solution on return.</summary>
    /// <exception cref="ObjectDisposedException">The solver was disposed.</exception>
    /// <exception cref="InvalidOperationException">The solver is already solving on another thread.</exception>
    SolveResult Solve(DeviceVector b, DeviceVector x);
}
