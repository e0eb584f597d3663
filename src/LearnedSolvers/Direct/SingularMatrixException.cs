namespace LearnedSolvers.Direct;

/// <summary>
/// A direct factorization found no usable pivot: the matrix is singular to working precision, or, for a Cholesky
/// factorization, not positive definite. <see cref="Column"/> is the 0-based column (of the original matrix where the
/// backend reports it, else −1); the message counts from 1, as Matrix Market files do.
/// </summary>
public sealed class SingularMatrixException : InvalidOperationException
{
    public SingularMatrixException(DirectBackend backend, int column, bool notPositiveDefinite = false, string? detail = null)
        : base(Describe(backend, column, notPositiveDefinite, detail))
    {
        Backend = backend;
        Column = column;
        NotPositiveDefinite = notPositiveDefinite;
    }

    public DirectBackend Backend { get; }

    /// <summary>0-based column where the factorization stopped, or −1 when the backend does not say.</summary>
    public int Column { get; }

    /// <summary>True when a Cholesky factorization met a pivot ≤ 0: the matrix may still be nonsingular (factor it with LU).</summary>
    public bool NotPositiveDefinite { get; }

    private static string Describe(DirectBackend backend, int column, bool notPositiveDefinite, string? detail)
    {
        string where = column >= 0 ? $" at column {column + 1} (counting from 1)" : "";
        string what = notPositiveDefinite
            ? $"the matrix is not positive definite: the Cholesky factorization ({backend}) met a pivot ≤ 0{where}"
            : $"the matrix is singular: the factorization ({backend}) found no nonzero pivot{where}";
        return detail is null ? what + "." : $"{what} ({detail}).";
    }
}
