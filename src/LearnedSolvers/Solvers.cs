using LearnedSolvers.Auto;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;

namespace LearnedSolvers;

/// <summary>
/// The front door for a solve whose method is chosen by need rather than by name: <see cref="Auto"/> when any method
/// that works will do, <see cref="Direct"/> for an exact factorization, <see cref="Krylov"/> for a named iteration.
/// Each returns a solver bound to the matrix (setup done or deferred to the first solve), disposed by the caller.
/// </summary>
public static class Solvers
{
    /// <summary>Chooses from the matrix's properties and falls back when a method fails (see <see cref="AutoSolver"/>).</summary>
    public static AutoSolver Auto(DeviceCsrMatrix a, AutoSolverOptions? options = null) => new(a, options);

    /// <summary>A sparse LU or Cholesky factorization, SuiteSparse's when loaded (see <see cref="SparseDirectSolver"/>).</summary>
    public static SparseDirectSolver Direct(DeviceCsrMatrix a, DirectSolverOptions? options = null, SolverOptions? solverOptions = null) =>
        new(a, options, solverOptions);

    /// <summary>A Krylov method by name (see <see cref="KrylovSolvers.Create"/>).</summary>
    public static KrylovSolver Krylov(KrylovMethod method, ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null,
        int restart = 30, int recycle = 15) => KrylovSolvers.Create(method, a, preconditioner, options, restart, recycle);
}
