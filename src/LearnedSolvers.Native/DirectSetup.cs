using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Native;

/// <summary>
/// Method "direct": <see cref="SparseDirectSolver"/>, factored at creation with the default backend choice. The
/// options' rtol and atol are what a solve reports convergence against. New values are refactored on the kept
/// analysis; a matrix that is singular (at creation or after an update) does not fail the call: every solve stops
/// with <see cref="StopReason.Singular"/>, as the header promises.
/// </summary>
internal sealed class DirectSetup : SolverSetup
{
    private readonly DeviceCsrMatrix _a;
    private readonly SolverOptions _options;
    private SparseDirectSolver _solver;

    /// <exception cref="FactorMemoryException">The factors would not fit in the memory the process may use.</exception>
    public DirectSetup(DeviceCsrMatrix a, SolverOptions options)
    {
        _a = a;
        _options = options;
        _solver = Factor();
    }

    protected override ILinearSolver Solver => _solver;

    public override void UpdateValues()
    {
        if (_solver.Failure is null)
        {
            try
            {
                _solver.Refactor(_a.Host);
                return;
            }
            catch (SingularMatrixException)
            {
                // A Cholesky factor that met a non-positive pivot may still have a nonsingular LU: factoring afresh
                // chooses the backend again, and records the failure for the solves when the matrix is singular.
            }
        }
        // Made before the old one goes: a failed factorization leaves the solver as it was, and the next solve retries.
        var fresh = Factor();
        _solver.Dispose();
        _solver = fresh;
    }

    public override void Dispose() => _solver.Dispose();

    private SparseDirectSolver Factor() => new(_a, new DirectSolverOptions(), _options);
}
