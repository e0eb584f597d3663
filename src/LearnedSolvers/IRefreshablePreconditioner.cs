using LearnedSolvers.Sparse;

namespace LearnedSolvers;

/// <summary>
/// A preconditioner whose setup can be redone for new values on the same sparsity pattern without new allocations:
/// what sequences of related systems and time steppers need (AMGX's "replace coefficients").
/// </summary>
public interface IRefreshablePreconditioner : IPreconditioner
{
    /// <summary>Redoes the setup for <paramref name="a"/>, which must have the pattern the preconditioner was built for.</summary>
    void UpdateValues(CsrMatrix a);
}
