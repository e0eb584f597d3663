using LearnedSolvers.Direct;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// A preconditioner's setup met a zero (or non-positive, for a Cholesky factor) pivot, or a zero diagonal entry it
/// divides by, and cannot be built. <see cref="Row"/> is 0-based; the message counts rows from 1, as Matrix Market files do.
/// </summary>
public sealed class ZeroPivotException : InvalidOperationException
{
    /// <param name="preconditioner">The preconditioner (or part of one) whose setup failed, first in the message.</param>
    /// <param name="row">The 0-based row of the pivot.</param>
    /// <param name="pivot">The pivot's value.</param>
    /// <param name="diagonal">True when the preconditioner divides by the diagonal itself (not a factorization's pivot).</param>
    public ZeroPivotException(string preconditioner, int row, double pivot, bool diagonal = false)
        : base(diagonal
            ? $"{preconditioner}: the diagonal entry of row {row + 1} (counting from 1) is {(pivot == 0 ? "zero" : $"{pivot:G6}")}; {preconditioner} divides by the diagonal, so every row needs a nonzero one."
            : $"{preconditioner}: pivot {pivot:G6} at row {row + 1} (counting from 1) is {(pivot == 0 ? "zero" : "unusable")}; the factorization cannot proceed.")
    {
        Row = row;
        Pivot = pivot;
    }

    /// <summary>
    /// A sparse direct factorization inside a preconditioner (multigrid's coarsest level) found its matrix singular:
    /// the same failure of setup as a zero pivot, in the factorization's words, with it as the inner exception.
    /// </summary>
    /// <param name="preconditioner">The preconditioner (or part of one) whose setup failed, first in the message.</param>
    /// <param name="cause">The factorization's error; its column becomes <see cref="Row"/>.</param>
    public ZeroPivotException(string preconditioner, SingularMatrixException cause)
        : base($"{preconditioner}: {(cause ?? throw new ArgumentNullException(nameof(cause))).Message}", cause)
    {
        Row = cause.Column;
        Pivot = 0;
    }

    /// <summary>0-based row (or column, for a direct factorization) of the pivot; −1 when the factorization does not say.</summary>
    public int Row { get; }

    /// <summary>The pivot's value (0 when a direct factorization reports the matrix singular).</summary>
    public double Pivot { get; }
}
