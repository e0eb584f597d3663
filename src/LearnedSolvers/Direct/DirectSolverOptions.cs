namespace LearnedSolvers.Direct;

/// <summary>Options of a sparse direct factorization.</summary>
public sealed record DirectSolverOptions
{
    /// <summary>
    /// The implementation to use; null chooses: CHOLMOD (else managed Cholesky) for a symmetric matrix with a positive
    /// diagonal, falling back to LU when it is not positive definite; KLU for very sparse nonsymmetric matrices
    /// (circuit-like), UMFPACK for the others; the managed LU when SuiteSparse is not loaded.
    /// </summary>
    public DirectBackend? Backend { get; init; }

    /// <summary>
    /// False: choose among the managed factorizations only, even where SuiteSparse is loaded (as when it is hidden by
    /// LEARNEDSOLVERS_SUITESPARSE=off, but for this solver alone).
    /// </summary>
    public bool UseSuiteSparse { get; init; } = true;

    /// <summary>The fill-reducing ordering; <see cref="DirectOrdering.Auto"/> lets the backend choose (AMD or COLAMD).</summary>
    public DirectOrdering Ordering { get; init; } = DirectOrdering.Auto;

    /// <summary>
    /// Threshold partial pivoting, 0 &lt; τ ≤ 1: the diagonal (or the ordering's preferred) pivot is kept when its
    /// magnitude is at least τ times the column's largest; 1 is strict partial pivoting.
    /// </summary>
    public double PivotTolerance { get; init; } = 0.1;

    /// <summary>The most bytes the factors may take; null: what the process may use (<see cref="MemoryBudget.AvailableBytes"/>).</summary>
    public long? MemoryLimitBytes { get; init; }

    /// <summary>Steps of iterative refinement after each solve while they reduce the residual (0: none).</summary>
    public int RefinementSteps { get; init; } = 2;

    /// <summary>The memory limit in force.</summary>
    public double EffectiveMemoryLimit => MemoryLimitBytes ?? MemoryBudget.AvailableBytes;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (!(PivotTolerance > 0 && PivotTolerance <= 1))
            throw new ArgumentOutOfRangeException(nameof(PivotTolerance), PivotTolerance, "The pivot tolerance must be in (0, 1].");
        if (MemoryLimitBytes is <= 0)
            throw new ArgumentOutOfRangeException(nameof(MemoryLimitBytes), MemoryLimitBytes, "The memory limit must be positive.");
        if (RefinementSteps is < 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(RefinementSteps), RefinementSteps, "Refinement steps must be between 0 and 100.");
        if (!Enum.IsDefined(Ordering))
            throw new ArgumentOutOfRangeException(nameof(Ordering), Ordering, "Unknown ordering.");
    }
}

/// <summary>Fill-reducing orderings of a direct factorization.</summary>
public enum DirectOrdering
{
    /// <summary>The backend's default (AMD on A + Aᵀ for Cholesky and KLU, COLAMD for UMFPACK).</summary>
    Auto,

    /// <summary>Approximate minimum degree on the pattern of A + Aᵀ.</summary>
    Amd,

    /// <summary>No reordering (rows may still be exchanged for pivoting).</summary>
    Natural,
}
