namespace LearnedSolvers.Krylov;

/// <summary>
/// Stopping rules shared by every iterative method. The solve stops when ‖b − Ax‖ ≤ max(rtol · ‖b‖, atol),
/// measured on the unpreconditioned residual and confirmed on the true residual at the end. It stops as
/// <see cref="StopReason.Diverged"/> when the residual exceeds <see cref="DivergenceTolerance"/> · max(‖b‖, ‖r₀‖)
/// (PETSc's dtol, same default); +∞ turns that test off.
/// </summary>
public sealed record SolverOptions(
    double RelativeTolerance = 1e-8,
    double AbsoluteTolerance = 0,
    int MaxIterations = 10_000,
    bool RecordHistory = true,
    double DivergenceTolerance = 1e5)
{
    public static SolverOptions Default { get; } = new();

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        if (!(RelativeTolerance >= 0) || double.IsInfinity(RelativeTolerance))
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), RelativeTolerance, "The relative tolerance must be a finite number ≥ 0.");
        if (!(AbsoluteTolerance >= 0) || double.IsInfinity(AbsoluteTolerance))
            throw new ArgumentOutOfRangeException(nameof(AbsoluteTolerance), AbsoluteTolerance, "The absolute tolerance must be a finite number ≥ 0.");
        if (RelativeTolerance == 0 && AbsoluteTolerance == 0)
            throw new ArgumentOutOfRangeException(nameof(RelativeTolerance), 0.0, "At least one of the relative and absolute tolerances must be positive.");
        if (!(DivergenceTolerance > 1))
            throw new ArgumentOutOfRangeException(nameof(DivergenceTolerance), DivergenceTolerance, "The divergence tolerance must be > 1 (+∞ disables the test).");
        if (MaxIterations < 0)
            throw new ArgumentOutOfRangeException(nameof(MaxIterations), MaxIterations, "The iteration limit must be ≥ 0.");
    }
}
