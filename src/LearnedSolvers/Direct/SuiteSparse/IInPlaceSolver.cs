namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>Overwrites x with A⁻¹x using existing factors: the step iterative refinement repeats.</summary>
internal interface IInPlaceSolver
{
    void SolveInPlace(Span<double> x);
}
