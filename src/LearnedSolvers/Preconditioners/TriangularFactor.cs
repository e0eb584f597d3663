using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// A preconditioner in factored form M = L U, applied as M⁻¹ r = U⁻¹ (L⁻¹ r): a lower triangular L and an upper
/// triangular U of the same size, each with its level schedule. IC(0) gives U = Lᵀ, ILU(0) a unit-lower L, SSOR the
/// scaled triangles of A; a learned factor fits the same shape, so every one of them is applied by
/// <see cref="TriangularFactorPreconditioner"/> on any device.
/// </summary>
public sealed class TriangularFactor
{
    /// <exception cref="ArgumentException">L is not lower or U not upper triangular, or their sizes differ.</exception>
    public TriangularFactor(TriangularMatrix lower, TriangularMatrix upper)
    {
        ArgumentNullException.ThrowIfNull(lower);
        ArgumentNullException.ThrowIfNull(upper);
        if (!lower.IsLower) throw new ArgumentException("The first factor must be lower triangular.", nameof(lower));
        if (upper.IsLower) throw new ArgumentException("The second factor must be upper triangular.", nameof(upper));
        if (lower.Size != upper.Size)
            throw new ArgumentException($"L has {lower.Size} rows and U has {upper.Size}; the factors must have the same size.", nameof(upper));
        Lower = lower;
        Upper = upper;
    }

    /// <summary>L, solved first.</summary>
    public TriangularMatrix Lower { get; }

    /// <summary>U, solved second.</summary>
    public TriangularMatrix Upper { get; }

    public int Size => Lower.Size;

    /// <summary>
    /// The positions of each row's diagonal entry in <paramref name="a"/>.
    /// </summary>
    /// <exception cref="ZeroPivotException">A row has no diagonal entry (named after <paramref name="preconditioner"/>).</exception>
    internal static int[] DiagonalPositions(CsrMatrix a, string preconditioner)
    {
        var d = new int[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        {
            d[i] = a.IndexOf(i, i);
            if (d[i] < 0) throw new ZeroPivotException(preconditioner, i, 0);
        }
        return d;
    }

    /// <summary>
    /// The pattern of A's triangles split at the diagonal positions <paramref name="diagonal"/>: L holds each row's
    /// entries up to the diagonal (without it when <paramref name="unitLower"/>), U the entries from the diagonal on.
    /// Values start at zero; <paramref name="lowerSource"/> and <paramref name="upperSource"/> give each factor entry's
    /// position in A.
    /// </summary>
    internal static TriangularFactor SplitPattern(CsrMatrix a, int[] diagonal, bool unitLower, out int[] lowerSource, out int[] upperSource)
    {
        int n = a.Rows;
        var lowerRows = new int[n + 1];
        var upperRows = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int lowerCount = diagonal[i] - a.RowPointers[i] + (unitLower ? 0 : 1);
            lowerRows[i + 1] = lowerRows[i] + lowerCount;
            upperRows[i + 1] = upperRows[i] + a.RowPointers[i + 1] - diagonal[i];
        }
        lowerSource = new int[lowerRows[n]];
        upperSource = new int[upperRows[n]];
        var lowerColumns = new int[lowerRows[n]];
        var upperColumns = new int[upperRows[n]];
        for (int i = 0; i < n; i++)
        {
            for (int k = lowerRows[i]; k < lowerRows[i + 1]; k++)
            {
                lowerSource[k] = a.RowPointers[i] + (k - lowerRows[i]);
                lowerColumns[k] = a.ColumnIndices[lowerSource[k]];
            }
            for (int k = upperRows[i]; k < upperRows[i + 1]; k++)
            {
                upperSource[k] = diagonal[i] + (k - upperRows[i]);
                upperColumns[k] = a.ColumnIndices[upperSource[k]];
            }
        }
        return new TriangularFactor(
            new TriangularMatrix(n, isLower: true, unitLower, lowerRows, lowerColumns, new double[lowerRows[n]]),
            new TriangularMatrix(n, isLower: false, hasUnitDiagonal: false, upperRows, upperColumns, new double[upperRows[n]]));
    }
}
