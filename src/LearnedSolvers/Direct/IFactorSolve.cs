namespace LearnedSolvers.Direct;

/// <summary>One solve with the factors alone (no refinement), the step <see cref="IterativeRefinement"/> repeats.</summary>
internal interface IFactorSolve
{
    /// <summary>x = A⁻¹ b through the factors alone; <paramref name="b"/> and <paramref name="x"/> are distinct memory.</summary>
    void SolveWithFactors(ReadOnlySpan<double> b, Span<double> x);
}
