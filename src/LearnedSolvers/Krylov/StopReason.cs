namespace LearnedSolvers.Krylov;

/// <summary>Why an iteration stopped (PETSc's KSPConvergedReason vocabulary).</summary>
public enum StopReason
{
    /// <summary>‖b − Ax‖ ≤ rtol · ‖b‖.</summary>
    ConvergedRelative,

    /// <summary>‖b − Ax‖ ≤ atol.</summary>
    ConvergedAbsolute,

    /// <summary>The iteration limit was reached first.</summary>
    MaxIterations,

    /// <summary>A quantity the method divides by became zero (e.g. BiCGStab's ρ or ω): the method cannot continue.</summary>
    Breakdown,

    /// <summary>The residual grew past <see cref="SolverOptions.DivergenceTolerance"/> times its initial norm.</summary>
    Diverged,

    /// <summary>A NaN or infinity appeared in the iteration (or in b).</summary>
    NaNOrInfinity,

    /// <summary>pᵀAp ≤ 0 in CG: the matrix is not positive definite.</summary>
    IndefiniteMatrix,

    /// <summary>rᵀMr ≤ 0 in PCG: the preconditioner is not positive definite.</summary>
    IndefinitePreconditioner,

    /// <summary>The residual stopped decreasing (or the true residual cannot reach the tolerance in floating point).</summary>
    Stagnation,

    /// <summary>A direct factorization found the matrix singular (PETSc: DIVERGED_PC_FAILED after a zero pivot); no solution was computed.</summary>
    Singular,
}

public static class StopReasonExtensions
{
    public static bool IsConverged(this StopReason reason) => reason is StopReason.ConvergedRelative or StopReason.ConvergedAbsolute;
}
