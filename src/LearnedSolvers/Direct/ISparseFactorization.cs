using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct;

/// <summary>
/// An exact factorization of one square sparse matrix (P A Q = L U, or P A Pᵀ = L Lᵀ), held on the host: factor once,
/// solve any number of right-hand sides, refactor for new values on the same pattern with the analysis kept.
/// Read-only after factoring: <see cref="Solve"/> may run on several threads at once only where the implementation
/// says so; <see cref="Refactor"/> must not run during a solve.
/// </summary>
public interface ISparseFactorization : IDisposable
{
    /// <summary>Rows (= columns) of the factored matrix.</summary>
    int Size { get; }

    /// <summary>Which implementation factored it.</summary>
    DirectBackend Backend { get; }

    /// <summary>Entries stored in the factors: nnz(L) + nnz(U) for LU, nnz(L) for Cholesky (diagonals included).</summary>
    long FactorNonZeros { get; }

    /// <summary>Solves A x = b with the factors. <paramref name="b"/> and <paramref name="x"/> have length <see cref="Size"/> and may be the same memory.</summary>
    /// <exception cref="ObjectDisposedException">The factorization was disposed.</exception>
    void Solve(ReadOnlySpan<double> b, Span<double> x);

    /// <summary>Factors new values of the same pattern, reusing the ordering and symbolic analysis.</summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> has another pattern than the matrix first factored.</exception>
    /// <exception cref="SingularMatrixException">The new values are singular (or, for Cholesky, not positive definite).</exception>
    void Refactor(CsrMatrix a);
}
