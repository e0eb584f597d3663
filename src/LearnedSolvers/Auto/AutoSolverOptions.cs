using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Auto;

/// <summary>Options of <see cref="AutoSolver"/>.</summary>
public sealed record AutoSolverOptions
{
    /// <summary>Tolerances every attempt must meet on the original system's true residual.</summary>
    public SolverOptions Solver { get; init; } = SolverOptions.Default;

    /// <summary>Iterations one iterative attempt may take before the next strategy is tried (capped by <see cref="SolverOptions.MaxIterations"/>).</summary>
    public int IterationsPerAttempt { get; init; } = 1000;

    /// <summary>
    /// Up to this many rows the factorization's cost is estimated (<see cref="FactorEstimate"/>), and the direct solver
    /// goes first when the estimate is below <see cref="DirectFirstFlops"/>; larger systems try the iterations first.
    /// 0: never first.
    /// </summary>
    public int DirectFirstRows { get; init; } = 200_000;

    /// <summary>
    /// The direct solver goes first up to this many estimated Cholesky flops: about 0.4 s on the 2-core machine the
    /// defaults were measured on (2D Poisson 1000², 1.8·10¹⁰ flops, factors in 7.5 s), where an AMG-PCG solve of a
    /// system that size takes a few hundred ms.
    /// </summary>
    public double DirectFirstFlops { get; init; } = 1e9;

    /// <summary>
    /// The direct solver is not tried at all above this many estimated Cholesky flops (about 7 minutes at the 2.4
    /// GFlop/s measured here): 3D Poisson 100³ under AMD would take 2·10¹³, hours, where failing fast says more.
    /// </summary>
    public double DirectMaxFlops { get; init; } = 1e12;

    /// <summary>The direct attempt's options (backend, memory limit, refinement).</summary>
    public DirectSolverOptions Direct { get; init; } = new();

    /// <summary>The GMRES restart length of the iterative attempts.</summary>
    public int Restart { get; init; } = 50;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Solver, nameof(Solver));
        Solver.Validate();
        if (IterationsPerAttempt < 1) throw new ArgumentOutOfRangeException(nameof(IterationsPerAttempt), IterationsPerAttempt, "At least one iteration per attempt.");
        if (DirectFirstRows < 0) throw new ArgumentOutOfRangeException(nameof(DirectFirstRows), DirectFirstRows, "Must be ≥ 0.");
        if (!(DirectFirstFlops >= 0)) throw new ArgumentOutOfRangeException(nameof(DirectFirstFlops), DirectFirstFlops, "Must be ≥ 0.");
        if (!(DirectMaxFlops >= DirectFirstFlops)) throw new ArgumentOutOfRangeException(nameof(DirectMaxFlops), DirectMaxFlops, "Must be at least DirectFirstFlops.");
        ArgumentNullException.ThrowIfNull(Direct, nameof(Direct));
        Direct.Validate();
        if (Restart < 1) throw new ArgumentOutOfRangeException(nameof(Restart), Restart, "The restart length must be at least 1.");
    }
}
