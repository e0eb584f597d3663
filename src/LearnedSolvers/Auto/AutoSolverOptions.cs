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

    /// <summary>Up to this many rows a direct factorization goes first: cheaper than tuning an iteration, and it cannot stall.</summary>
    public int DirectFirstRows { get; init; } = 50_000;

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
        ArgumentNullException.ThrowIfNull(Direct, nameof(Direct));
        Direct.Validate();
        if (Restart < 1) throw new ArgumentOutOfRangeException(nameof(Restart), Restart, "The restart length must be at least 1.");
    }
}
