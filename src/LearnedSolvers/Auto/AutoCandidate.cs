using LearnedSolvers.Krylov;

namespace LearnedSolvers.Auto;

/// <summary>One strategy set up for the matrix: solves in the original system's terms, on host arrays.</summary>
internal abstract class AutoCandidate : IDisposable
{
    /// <summary>Solves A x = b; <paramref name="x"/> holds the initial guess on entry. The result's residual may be the method's own (scaled) one: the caller recomputes the true one.</summary>
    public abstract SolveResult Solve(double[] b, double[] x, SolverOptions options);

    public abstract void Dispose();
}
