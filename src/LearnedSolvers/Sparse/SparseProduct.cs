namespace LearnedSolvers.Sparse;

/// <summary>
/// Sparse matrix–matrix products for multigrid setup: C = A B by Gustavson's row-by-row algorithm (a dense
/// accumulator and a marker per worker thread, two passes: count, then fill), and the Galerkin product Pᵀ A P.
/// Rows are processed in parallel blocks; the result has sorted columns and keeps explicit zeros that arise from
/// cancellation (they are part of the product's pattern).
/// </summary>
public static class SparseProduct
{
    private const int RowsPerBlock = 4096;

    /// <summary>C = A B.</summary>
    /// <exception cref="ArgumentException">The inner dimensions differ.</exception>
    /// <exception cref="InvalidMatrixException">C would have more entries than 32-bit indices address.</exception>
    public static CsrMatrix Multiply(CsrMatrix a, CsrMatrix b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        if (a.Columns != b.Rows) throw new ArgumentException($"A is {a.Rows} x {a.Columns} and B is {b.Rows} x {b.Columns}: the inner dimensions differ.", nameof(b));
        int rows = a.Rows, blocks = (rows + RowsPerBlock - 1) / RowsPerBlock;
        var counts = new int[rows + 1];
        // One marker array per worker (a fixed number of workers taking every workers-th block: Parallel.For's own
        // partitioning may start many more tasks, each paying for its own arrays of B's width): marker[j] == i means
        // column j already occurs in row i.
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, blocks));
        Parallel.For(0, workers, worker =>
        {
            var marker = NewMarker(b.Columns);
            for (int block = worker; block < blocks; block += workers)
            for (int i = block * RowsPerBlock, end = Math.Min(rows, i + RowsPerBlock); i < end; i++)
            {
                int count = 0;
                for (int ka = a.RowPointers[i]; ka < a.RowPointers[i + 1]; ka++)
                {
                    int k = a.ColumnIndices[ka];
                    for (int kb = b.RowPointers[k]; kb < b.RowPointers[k + 1]; kb++)
                    {
                        int j = b.ColumnIndices[kb];
                        if (marker[j] != i)
                        {
                            marker[j] = i;
                            count++;
                        }
                    }
                }
                counts[i + 1] = count;
            }
        });
        long total = 0;
        for (int i = 0; i < rows; i++)
        {
            total += counts[i + 1];
            if (total > Array.MaxLength) throw new InvalidMatrixException($"The product of a {a.Rows} x {a.Columns} and a {b.Rows} x {b.Columns} matrix has more than {Array.MaxLength} entries.");
            counts[i + 1] = (int)total;
        }
        var columns = new int[total];
        var values = new double[total];
        Parallel.For(0, workers, worker =>
        {
            var marker = NewMarker(b.Columns);
            var position = new int[b.Columns];
            for (int block = worker; block < blocks; block += workers)
            for (int i = block * RowsPerBlock, end = Math.Min(rows, i + RowsPerBlock); i < end; i++)
            {
                int start = counts[i], next = start;
                for (int ka = a.RowPointers[i]; ka < a.RowPointers[i + 1]; ka++)
                {
                    int k = a.ColumnIndices[ka];
                    double aik = a.Values[ka];
                    for (int kb = b.RowPointers[k]; kb < b.RowPointers[k + 1]; kb++)
                    {
                        int j = b.ColumnIndices[kb];
                        if (marker[j] != i)
                        {
                            marker[j] = i;
                            position[j] = next;
                            columns[next] = j;
                            values[next++] = aik * b.Values[kb];
                        }
                        else values[position[j]] += aik * b.Values[kb];
                    }
                }
                SortRow(columns, values, start, next);
            }
        });
        return CsrMatrix.Trusted(a.Rows, b.Columns, counts, columns, values);
    }

    /// <summary>Sorts one row's entries by column: insertion sort for the short rows that multigrid products have.</summary>
    private static void SortRow(int[] columns, double[] values, int start, int end)
    {
        if (end - start > 32)
        {
            Array.Sort(columns, values, start, end - start);
            return;
        }
        for (int k = start + 1; k < end; k++)
        {
            int c = columns[k];
            double v = values[k];
            int m = k - 1;
            while (m >= start && columns[m] > c)
            {
                columns[m + 1] = columns[m];
                values[m + 1] = values[m];
                m--;
            }
            columns[m + 1] = c;
            values[m + 1] = v;
        }
    }

    private static int[] NewMarker(int length)
    {
        var marker = new int[length];
        Array.Fill(marker, -1);
        return marker;
    }

    /// <summary>The Galerkin coarse operator Pᵀ A P (symmetric when A is).</summary>
    public static CsrMatrix Galerkin(CsrMatrix a, CsrMatrix p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return Multiply(p.Transpose(), Multiply(a, p));
    }
}
