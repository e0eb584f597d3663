using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Auto;

/// <summary>The direct solver as an attempt; a singular matrix ends the attempt with <see cref="StopReason.Singular"/>.</summary>
internal sealed class DirectCandidate(DeviceCsrMatrix a, DirectSolverOptions direct, SolverOptions options) : AutoCandidate
{
    private readonly SparseDirectSolver _solver = new(a, direct, options);

    /// <summary>"CHOLMOD: symmetric with a positive diagonal; fill 4.2".</summary>
    public string Description => $"{_solver.BackendNote}; fill {_solver.Fill:F1}";

    public override SolveResult Solve(double[] b, double[] x, SolverOptions options) => _solver.Solve(b, x);

    public override void Dispose() => _solver.Dispose();
}
