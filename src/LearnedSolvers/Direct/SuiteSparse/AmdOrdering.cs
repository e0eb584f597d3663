using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// Approximate minimum degree ordering by SuiteSparse's AMD (P. R. Amestoy, T. A. Davis and I. S. Duff, "Algorithm 837:
/// AMD, an approximate minimum degree ordering algorithm", ACM TOMS 30(3), 2004), on the pattern of A + Aᵀ: the
/// fill-reducing ordering for Cholesky and for LU of matrices with a nearly symmetric pattern.
/// </summary>
public static class AmdOrdering
{
    /// <summary>True when SuiteSparse's AMD is loaded in this process (<see cref="SuiteSparseLibrary.Amd"/>).</summary>
    public static bool IsAvailable => SuiteSparseLibrary.Amd.IsAvailable;

    /// <summary>
    /// The permutation p of AMD on the pattern of A + Aᵀ: p[k] is the row (and column) of A eliminated k-th, so the
    /// reordered matrix is A[p, p]. Values are ignored; a missing diagonal is allowed.
    /// </summary>
    /// <exception cref="SuiteSparseUnavailableException">AMD is not loaded.</exception>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not square.</exception>
    public static int[] Compute(CsrMatrix a) => Compute(a, out _);

    /// <summary>As <see cref="Compute(CsrMatrix)"/>, with AMD's prediction of nnz(L) for a Cholesky factor in that order (diagonal excluded).</summary>
    public static unsafe int[] Compute(CsrMatrix a, out double predictedFactorNonZeros)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"AMD orders square matrices; this one is {a.Rows} x {a.Columns}.", nameof(a));
        var api = SuiteSparseLibrary.RequireAmd();
        var permutation = new int[a.Rows];
        var info = stackalloc double[AmdApi.InfoLength];
        int status;
        // AMD reads column-compressed arrays; A's row-compressed arrays are those of Aᵀ, and A + Aᵀ is the same pattern.
        fixed (int* ap = a.RowPointers, ai = a.ColumnIndices, p = permutation)
        {
            status = api.Order(a.Rows, ap, ai, p, null, info);
        }
        predictedFactorNonZeros = info[AmdApi.InfoLnz];
        return status switch
        {
            AmdApi.StatusOk or AmdApi.StatusOkButJumbled => permutation,
            AmdApi.StatusOutOfMemory => throw new OutOfMemoryException($"AMD ran out of memory ordering a {a.Rows} x {a.Rows} matrix with {a.NonZeros} entries."),
            _ => throw new ArgumentException($"AMD rejected the matrix (status {status}).", nameof(a)),
        };
    }
}
