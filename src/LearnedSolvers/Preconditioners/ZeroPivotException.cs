namespace LearnedSolvers.Preconditioners;

/// <summary>
/// A preconditioner's setup met a zero (or non-positive, for a Cholesky factor) pivot, or a zero diagonal entry it
/// divides by, and cannot be built. <see cref="Row"/> is 0-based; the message counts rows from 1, as Matrix Market files do.
/// </summary>
public sealed class ZeroPivotException(string preconditioner, int row, double pivot, bool diagonal = false)
    : InvalidOperationException(diagonal
        ? $"{preconditioner}: the diagonal entry of row {row + 1} (counting from 1) is {(pivot == 0 ? "zero" : $"{pivot:G6}")}; {preconditioner} divides by the diagonal, so every row needs a nonzero one."
        : $"{preconditioner}: pivot {pivot:G6} at row {row + 1} (counting from 1) is {(pivot == 0 ? "zero" : "unusable")}; the factorization cannot proceed.")
{
    public int Row { get; } = row;
    public double Pivot { get; } = pivot;
}
