namespace LearnedSolvers.Preconditioners;

/// <summary>A preconditioner's setup met a zero (or non-positive, for a Cholesky factor) pivot and cannot be built.</summary>
public sealed class ZeroPivotException(string preconditioner, int row, double pivot)
    : InvalidOperationException($"{preconditioner}: pivot {pivot:G6} at row {row} is {(pivot == 0 ? "zero" : "unusable")}; the factorization cannot proceed.")
{
    public int Row { get; } = row;
    public double Pivot { get; } = pivot;
}
