using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// Sliced ELLPACK (SELL-C, Kreutzer et al. 2014 "A unified sparse matrix data format for efficient general sparse
/// matrix-vector multiplication on modern processors with wide SIMD units", with σ = 1: rows keep their order): rows
/// in slices of C; each slice is padded to its longest row and stored column-major, so C consecutive threads (a warp)
/// read C consecutive values and column indices. Padding entries hold the value 0 and the row's own index as column,
/// so they read a valid x and add nothing.
/// </summary>
internal sealed class SlicedEllLayout
{
    private SlicedEllLayout(int sliceHeight, int[] sliceStarts, int[] columns, double[] values, long nonZeros)
    {
        SliceHeight = sliceHeight;
        SliceStarts = sliceStarts;
        Columns = columns;
        Values = values;
        PaddingRatio = nonZeros == 0 ? 1 : (double)values.Length / nonZeros;
    }

    public int SliceHeight { get; }

    /// <summary>Offset of slice s's first entry; slice s holds (SliceStarts[s+1] − SliceStarts[s]) / C entries per row.</summary>
    public int[] SliceStarts { get; }

    public int[] Columns { get; }
    public double[] Values { get; }

    /// <summary>Stored entries (padding included) over the matrix's entries: the extra traffic SELL pays.</summary>
    public double PaddingRatio { get; }

    public static SlicedEllLayout Build(CsrMatrix a, int sliceHeight)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceHeight, 1);
        int rows = a.Rows, slices = (rows + sliceHeight - 1) / sliceHeight;
        var starts = new int[slices + 1];
        long total = 0;
        for (int s = 0; s < slices; s++)
        {
            int width = 0;
            for (int r = s * sliceHeight; r < Math.Min(rows, (s + 1) * sliceHeight); r++)
                width = Math.Max(width, a.RowPointers[r + 1] - a.RowPointers[r]);
            total += (long)width * sliceHeight;
            if (total > Array.MaxLength) throw new InvalidMatrixException($"The sliced ELL layout of this matrix needs more than {Array.MaxLength} entries (too much padding); use CSR.");
            starts[s + 1] = (int)total;
        }
        var columns = new int[total];
        var values = new double[total];
        for (int s = 0; s < slices; s++)
        {
            int width = (starts[s + 1] - starts[s]) / sliceHeight;
            for (int lane = 0; lane < sliceHeight; lane++)
            {
                int r = s * sliceHeight + lane;
                int begin = r < rows ? a.RowPointers[r] : 0, length = r < rows ? a.RowPointers[r + 1] - begin : 0;
                for (int j = 0; j < width; j++)
                {
                    int at = starts[s] + j * sliceHeight + lane;
                    if (j < length)
                    {
                        columns[at] = a.ColumnIndices[begin + j];
                        values[at] = a.Values[begin + j];
                    }
                    else
                    {
                        columns[at] = r < rows ? Math.Min(r, Math.Max(0, a.Columns - 1)) : 0;
                    }
                }
            }
        }
        return new SlicedEllLayout(sliceHeight, starts, columns, values, a.NonZeros);
    }
}
