namespace LearnedSolvers.Sparse.Orderings;

/// <summary>
/// The bandwidth of a matrix, max |i − j| over its stored entries: the measure a bandwidth-reducing ordering such as
/// <see cref="ReverseCuthillMcKee"/> makes small, and the width of the band a banded factorization must store.
/// </summary>
public static class Bandwidth
{
    /// <summary>max |i − j| over stored entries (explicit zeros count: the pattern is what a factorization stores); 0 when none.</summary>
    public static int Of(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        int width = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            int start = a.RowPointers[i], end = a.RowPointers[i + 1];
            if (start == end) continue;
            // Columns are sorted, so the row's first and last entries are its farthest from the diagonal.
            width = Math.Max(width, Math.Max(Math.Abs(i - a.ColumnIndices[start]), Math.Abs(a.ColumnIndices[end - 1] - i)));
        }
        return width;
    }
}
