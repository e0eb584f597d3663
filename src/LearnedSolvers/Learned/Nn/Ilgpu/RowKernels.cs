using ILGPU;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// Kernels on batches of rows: per-row dot products (deterministic reductions), a sparse matrix applied to each row of
/// a batch, and the gather and segment sum of graph layers (one thread per element written; sums in double, in order).
/// </summary>
internal static class RowKernels
{
    /// <summary>
    /// result[r] = x_rᵀy_r for a few rows in one launch: each group sums a grid-stride slice of every row and writes one
    /// partial per row (row r of group g at partials[r · Grid.DimX + g]); the last group folds them
    /// (<see cref="ReductionKernels.FoldInLastGroup"/>). The grid depends on the row length alone, so the order is fixed.
    /// </summary>
    public static void FewRowDots(ArrayView<float> x, ArrayView<float> y, int rows, int rowLength, ArrayView<double> partials, ArrayView<int> arrivals,
        ArrayView<double> result)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int stride = Grid.DimX * Group.DimX;
        for (int r = 0; r < rows; r++)
        {
            int row = r * rowLength;
            double sum = 0;
            for (int i = Grid.GlobalIndex.X; i < rowLength; i += stride) sum += (double)x[row + i] * y[row + i];
            sum = ReductionKernels.GroupSum(shared, sum);
            if (Group.IsFirstThread) partials[r * Grid.DimX + Grid.IdxX] = sum;
        }
        ReductionKernels.FoldInLastGroup(shared, partials, rows, arrivals, result);
    }

    /// <summary>result[r] = x_rᵀy_r with one group per row: for many rows, which fill the device by themselves.</summary>
    public static void ManyRowDots(ArrayView<float> x, ArrayView<float> y, int rowLength, ArrayView<double> result)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int row = Grid.IdxX * rowLength;
        double sum = 0;
        for (int i = Group.IdxX; i < rowLength; i += Group.DimX) sum += (double)x[row + i] * y[row + i];
        sum = ReductionKernels.GroupSum(shared, sum);
        if (Group.IsFirstThread) result[Grid.IdxX] = sum;
    }

    /// <summary>y[b, i] = Σ_k A[i, k] x[b, k]; one thread per (b, i), consecutive threads on consecutive rows i.</summary>
    public static void SparseMultiply(Index1D index, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<float> values,
        ArrayView<float> x, ArrayView<float> y, int n)
    {
        int e = index.X;
        int i = e % n;
        int batchRow = e - i;
        double sum = 0;
        int end = rowPointers[i + 1];
        for (int k = rowPointers[i]; k < end; k++)
        {
            // A column outside [0, n) makes the row NaN rather than a read outside x (indices stay on the device).
            int c = columns[k];
            sum += (uint)c < (uint)n ? (double)values[k] * x[batchRow + c] : double.NaN;
        }
        y[e] = (float)sum;
    }

    /// <summary>y[e, f] = x[index[e], f]; NaN for an index outside [0, V) rather than a read outside x.</summary>
    public static void GatherRows(Index1D i, ArrayView<float> x, ArrayView<int> index, ArrayView<float> y, int vertices, int features)
    {
        int f = i.X % features;
        int v = index[i.X / features];
        y[i] = (uint)v < (uint)vertices ? x[v * features + f] : float.NaN;
    }

    /// <summary>
    /// y[v, f] (+)= Σ_{k ∈ [offsets[v], offsets[v + 1])} x[order[k], f], summed in k's order; one thread per element of y.
    /// An order entry outside [0, E) adds NaN rather than reading outside x.
    /// </summary>
    public static void SegmentSum(Index1D i, ArrayView<float> x, ArrayView<int> offsets, ArrayView<int> order, ArrayView<float> y,
        int accumulate, int edges, int features)
    {
        int f = i.X % features;
        int v = i.X / features;
        double sum = 0;
        int end = offsets[v + 1];
        for (int k = offsets[v]; k < end; k++)
        {
            int edge = order[k];
            sum += (uint)edge < (uint)edges ? x[edge * features + f] : double.NaN;
        }
        y[i] = accumulate != 0 ? (float)(y[i] + sum) : (float)sum;
    }
}
