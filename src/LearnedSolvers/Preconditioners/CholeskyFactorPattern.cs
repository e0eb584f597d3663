using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// The shape of a factor M = L Lᵀ on the lower triangle of a symmetric matrix's pattern: L holds each row's entries up
/// to and including the diagonal (diagonal last), Lᵀ the same entries by columns. IC(0) and the learned factors write
/// L's values and <see cref="MirrorLower"/> copies them into Lᵀ, so both are applied by one
/// <see cref="TriangularFactorPreconditioner"/>.
/// </summary>
public sealed class CholeskyFactorPattern
{
    private readonly int[] _upperEntry; // lower entry (i, j) → its place (j, i) in Lᵀ

    /// <param name="a">A square matrix with a stored diagonal entry in every row; only its lower triangle's pattern is read.</param>
    /// <param name="preconditioner">The name a missing diagonal is reported under.</param>
    /// <exception cref="ZeroPivotException">A row has no diagonal entry.</exception>
    public CholeskyFactorPattern(CsrMatrix a, string preconditioner)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"{preconditioner} needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        int n = a.Rows;
        var lowerRows = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int count = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1] && a.ColumnIndices[k] <= i; k++) count++;
            if (count == 0 || a.ColumnIndices[a.RowPointers[i] + count - 1] != i) throw new ZeroPivotException(preconditioner, i, 0);
            lowerRows[i + 1] = lowerRows[i] + count;
        }
        int nnz = lowerRows[n];
        var lowerColumns = new int[nnz];
        SourceEntry = new int[nnz];
        for (int i = 0; i < n; i++)
        {
            for (int k = lowerRows[i]; k < lowerRows[i + 1]; k++)
            {
                SourceEntry[k] = a.RowPointers[i] + (k - lowerRows[i]);
                lowerColumns[k] = a.ColumnIndices[SourceEntry[k]];
            }
        }

        // Lᵀ: row j holds column j of L, diagonal first.
        var upper = CsrMatrix.Trusted(n, n, lowerRows, lowerColumns, new double[nnz]).Transpose(out _upperEntry);
        Factor = new TriangularFactor(
            new TriangularMatrix(n, isLower: true, hasUnitDiagonal: false, lowerRows, lowerColumns, new double[nnz]),
            new TriangularMatrix(n, isLower: false, hasUnitDiagonal: false, upper.RowPointers, upper.ColumnIndices, upper.Values));
    }

    /// <summary>L and Lᵀ; values start at zero.</summary>
    public TriangularFactor Factor { get; }

    /// <summary>L's values, row by row, diagonal last in each row.</summary>
    public double[] Lower => Factor.Lower.Values;

    /// <summary>Each entry of L's position in the matrix the pattern was taken from.</summary>
    public int[] SourceEntry { get; }

    public int Size => Factor.Size;

    /// <summary>Copies L's values into Lᵀ.</summary>
    public void MirrorLower()
    {
        var lower = Factor.Lower.Values;
        var upper = Factor.Upper.Values;
        for (int k = 0; k < lower.Length; k++) upper[_upperEntry[k]] = lower[k];
    }
}
