using ILGPU;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// CSR sparse matrix-vector products y = A x (Bell and Garland 2009, "Implementing sparse matrix-vector multiplication
/// on throughput-oriented processors": CSR scalar and CSR vector).
/// </summary>
internal static class SpmvKernels
{
    /// <summary>
    /// One thread per row. Best for short rows (stencils, ≲ 8 entries): neighbouring threads read neighbouring rows,
    /// but within a row the reads are strided by the row length, so long rows waste memory transactions.
    /// </summary>
    public static void Scalar(
        Index1D row, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y)
    {
        int end = rowPointers[row + 1];
        double s = 0;
        for (int k = rowPointers[row]; k < end; k++) s += values[k] * x[columns[k]];
        y[row] = s;
    }

    /// <summary>
    /// One thread per entry (row, column j) of a block product Y = A X over column-major columns (column j of X at
    /// j·<paramref name="n"/>, of Y at j·<paramref name="m"/>): neighbouring threads take neighbouring rows of one
    /// column, and the further columns find the row's entries in cache. Offsets fit in int: a buffer holds at most
    /// int.MaxValue elements.
    /// </summary>
    public static void ScalarBlock(
        Index2D index, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, int n, int m)
    {
        int row = index.X, xOffset = index.Y * n;
        int end = rowPointers[row + 1];
        double s = 0;
        for (int k = rowPointers[row]; k < end; k++) s += values[k] * x[xOffset + columns[k]];
        y[index.Y * m + row] = s;
    }

    /// <summary>
    /// A segment of <paramref name="lanesPerRow"/> consecutive lanes (a power of two ≤ the warp size) per row: the lanes
    /// read consecutive entries of the row (coalesced), then fold their sums with warp shuffles into the segment's first
    /// lane. Every lane reaches the shuffles, including lanes past the last row: a shuffle needs the whole warp.
    /// Launch with an explicit group size that is a multiple of the warp size and ⌈rows · lanesPerRow / group⌉ groups.
    /// </summary>
    public static void Subwarp(
        ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, int lanesPerRow)
    {
        int thread = Grid.GlobalIndex.X;
        int row = thread / lanesPerRow;
        int lane = thread & (lanesPerRow - 1);
        int rows = (int)y.Length;
        double s = 0;
        if (row < rows)
        {
            int end = rowPointers[row + 1];
            for (int k = rowPointers[row] + lane; k < end; k += lanesPerRow) s += values[k] * x[columns[k]];
        }
        // The segment's first lane adds lane + offset, which stays inside the segment for offset < lanesPerRow.
        for (int offset = lanesPerRow / 2; offset > 0; offset >>= 1) s += Warp.ShuffleDown(s, offset);
        if (lane == 0 && row < rows) y[row] = s;
    }

    /// <summary>
    /// y = A x fused with output[0] = xᵀy (CG's pᵀAp), one thread per row over a grid-stride loop: x_i · y_i is formed
    /// while y_i is still in a register, so the dot costs no extra pass over x and y. Reduced as in
    /// <see cref="ReductionKernels"/>, in the same launch.
    /// </summary>
    public static void ScalarWithDot(
        ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int rows = (int)y.Length;
        int stride = Grid.DimX * Group.DimX;
        double dot = 0;
        for (int row = Grid.GlobalIndex.X; row < rows; row += stride)
        {
            int end = rowPointers[row + 1];
            double s = 0;
            for (int k = rowPointers[row]; k < end; k++) s += values[k] * x[columns[k]];
            y[row] = s;
            dot += x[row] * s;
        }
        dot = ReductionKernels.GroupSum(shared, dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary>
    /// <see cref="Subwarp"/> fused with output[0] = xᵀy, over a grid-stride loop of row sweeps. The loop test uses the
    /// first row of the thread's warp, which is the same for all its lanes: every lane of a warp runs the same number
    /// of sweeps and so reaches every shuffle, even where its own row is past the end.
    /// </summary>
    public static void SubwarpWithDot(
        ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, int lanesPerRow, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int rows = (int)y.Length;
        int thread = Grid.GlobalIndex.X;
        int lane = thread & (lanesPerRow - 1);
        int rowsPerSweep = Grid.DimX * Group.DimX / lanesPerRow;
        int warpFirstRow = (thread - Warp.LaneIdx) / lanesPerRow;
        double dot = 0;
        for (int sweep = 0; warpFirstRow + sweep * rowsPerSweep < rows; sweep++)
        {
            int row = thread / lanesPerRow + sweep * rowsPerSweep;
            double s = 0;
            if (row < rows)
            {
                int end = rowPointers[row + 1];
                for (int k = rowPointers[row] + lane; k < end; k += lanesPerRow) s += values[k] * x[columns[k]];
            }
            for (int offset = lanesPerRow / 2; offset > 0; offset >>= 1) s += Warp.ShuffleDown(s, offset);
            if (lane == 0 && row < rows)
            {
                y[row] = s;
                dot += x[row] * s;
            }
        }
        dot = ReductionKernels.GroupSum(shared, dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary>β = scalars[numerator] / scalars[denominator], 0 unless finite (CG's direction factor).</summary>
    private static double DirectionFactor(ArrayView<double> scalars, int numerator, int denominator)
    {
        double beta = scalars[numerator] / scalars[denominator];
        return beta >= -double.MaxValue && beta <= double.MaxValue ? beta : 0;
    }

    /// <summary>
    /// <see cref="ScalarWithDot"/> on the next direction: pNext = z + βp (β from <see cref="DirectionFactor"/>), q = A pNext
    /// and output[0] = pNextᵀq. Each row forms z_c + βp_c for the columns it reads and writes its own pNext_i.
    /// </summary>
    public static void ScalarDirectionWithDot(
        ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values, ArrayView<double> scalars, int numerator, int denominator,
        ArrayView<double> z, ArrayView<double> p, ArrayView<double> pNext, ArrayView<double> q,
        ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        double beta = DirectionFactor(scalars, numerator, denominator);
        int rows = (int)q.Length;
        int stride = Grid.DimX * Group.DimX;
        double dot = 0;
        for (int row = Grid.GlobalIndex.X; row < rows; row += stride)
        {
            int end = rowPointers[row + 1];
            double s = 0;
            for (int k = rowPointers[row]; k < end; k++)
            {
                int c = columns[k];
                s += values[k] * (z[c] + beta * p[c]);
            }
            q[row] = s;
            double pi = z[row] + beta * p[row];
            pNext[row] = pi;
            dot += pi * s;
        }
        dot = ReductionKernels.GroupSum(shared, dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary><see cref="SubwarpWithDot"/> on the next direction, as <see cref="ScalarDirectionWithDot"/>.</summary>
    public static void SubwarpDirectionWithDot(
        ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<double> values, ArrayView<double> scalars, int numerator, int denominator,
        ArrayView<double> z, ArrayView<double> p, ArrayView<double> pNext, ArrayView<double> q, int lanesPerRow,
        ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        double beta = DirectionFactor(scalars, numerator, denominator);
        int rows = (int)q.Length;
        int thread = Grid.GlobalIndex.X;
        int lane = thread & (lanesPerRow - 1);
        int rowsPerSweep = Grid.DimX * Group.DimX / lanesPerRow;
        int warpFirstRow = (thread - Warp.LaneIdx) / lanesPerRow;
        double dot = 0;
        for (int sweep = 0; warpFirstRow + sweep * rowsPerSweep < rows; sweep++)
        {
            int row = thread / lanesPerRow + sweep * rowsPerSweep;
            double s = 0;
            if (row < rows)
            {
                int end = rowPointers[row + 1];
                for (int k = rowPointers[row] + lane; k < end; k += lanesPerRow)
                {
                    int c = columns[k];
                    s += values[k] * (z[c] + beta * p[c]);
                }
            }
            for (int offset = lanesPerRow / 2; offset > 0; offset >>= 1) s += Warp.ShuffleDown(s, offset);
            if (lane == 0 && row < rows)
            {
                q[row] = s;
                double pi = z[row] + beta * p[row];
                pNext[row] = pi;
                dot += pi * s;
            }
        }
        dot = ReductionKernels.GroupSum(shared, dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary>Sliced ELL (see <see cref="SlicedEllLayout"/>), one thread per row: a warp's loads of one column step are contiguous.</summary>
    public static void SlicedEll(
        Index1D row, ArrayView<int> sliceStarts, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, int sliceHeight)
    {
        y[row] = SlicedEllRow(row, sliceStarts, columns, values, x, sliceHeight);
    }

    /// <summary>Sliced ELL SpMV fused with output[0] = xᵀy, over a grid-stride loop (as <see cref="ScalarWithDot"/>).</summary>
    public static void SlicedEllWithDot(
        ArrayView<int> sliceStarts, ArrayView<int> columns, ArrayView<double> values,
        ArrayView<double> x, ArrayView<double> y, int sliceHeight, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int rows = (int)y.Length;
        int stride = Grid.DimX * Group.DimX;
        double dot = 0;
        for (int row = Grid.GlobalIndex.X; row < rows; row += stride)
        {
            double yi = SlicedEllRow(row, sliceStarts, columns, values, x, sliceHeight);
            y[row] = yi;
            dot += x[row] * yi;
        }
        dot = ReductionKernels.GroupSum(shared, dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary><see cref="SlicedEllWithDot"/> on the next direction, as <see cref="ScalarDirectionWithDot"/>.</summary>
    public static void SlicedEllDirectionWithDot(
        ArrayView<int> sliceStarts, ArrayView<int> columns, ArrayView<double> values, ArrayView<double> scalars, int numerator, int denominator,
        ArrayView<double> z, ArrayView<double> p, ArrayView<double> pNext, ArrayView<double> q, int sliceHeight,
        ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        double beta = DirectionFactor(scalars, numerator, denominator);
        int rows = (int)q.Length;
        int stride = Grid.DimX * Group.DimX;
        double dot = 0;
        for (int row = Grid.GlobalIndex.X; row < rows; row += stride)
        {
            int slice = row / sliceHeight, lane = row - slice * sliceHeight;
            int end = sliceStarts[slice + 1];
            double s = 0;
            for (int k = sliceStarts[slice] + lane; k < end; k += sliceHeight)
            {
                int c = columns[k];
                s += values[k] * (z[c] + beta * p[c]);
            }
            q[row] = s;
            double pi = z[row] + beta * p[row];
            pNext[row] = pi;
            dot += pi * s;
        }
        dot = ReductionKernels.GroupSum(shared, dot);
        if (Group.IsFirstThread) partials[Grid.IdxX] = dot;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    private static double SlicedEllRow(int row, ArrayView<int> sliceStarts, ArrayView<int> columns, ArrayView<double> values, ArrayView<double> x, int sliceHeight)
    {
        int slice = row / sliceHeight, lane = row - slice * sliceHeight;
        int start = sliceStarts[slice], end = sliceStarts[slice + 1];
        double s = 0;
        for (int k = start + lane; k < end; k += sliceHeight) s += values[k] * x[columns[k]];
        return s;
    }
}
