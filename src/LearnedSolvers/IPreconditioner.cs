namespace LearnedSolvers;

/// <summary>An approximate inverse M ≈ A⁻¹ applied as z = M r.</summary>
public interface IPreconditioner : ILinearOperator
{
    /// <summary>False for learned or inner-iteration operators: such a preconditioner needs a flexible method.</summary>
    bool IsLinear { get; }

    /// <summary>True when M is symmetric (positive definite for an SPD matrix), as CG requires.</summary>
    bool IsSymmetric { get; }
}
