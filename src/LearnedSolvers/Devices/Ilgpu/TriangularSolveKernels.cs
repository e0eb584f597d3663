using System.Numerics;
using ILGPU;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// Level-scheduled sparse triangular solves (Anderson and Saad 1989; Naumov 2011, "Parallel solution of sparse
/// triangular linear systems in the preconditioned iterative methods on the GPU"): one launch per level, a thread per row.
/// </summary>
internal static class TriangularSolveKernels
{
    /// <summary>
    /// x_i = (b_i − Σ_{j≠i} t_ij x_j) · inverseDiagonal_i for the rows i = levelRows[index] of one level, whose x_j are
    /// final from earlier launches. Row i's off-diagonal entries are [rowPointers[i] + skipFirst, rowPointers[i + 1] −
    /// skipLast): a stored diagonal is skipped at the start (upper) or end (lower) of the row. x may be b: a row reads
    /// only its own b_i. T is double, or float for a factor applied in single precision.
    /// </summary>
    public static void SolveLevel<T>(
        Index1D index, ArrayView<int> levelRows, ArrayView<int> rowPointers, ArrayView<int> columns, ArrayView<T> values,
        ArrayView<T> inverseDiagonal, int skipFirst, int skipLast, ArrayView<T> b, ArrayView<T> x) where T : unmanaged, INumber<T>
    {
        int row = levelRows[index];
        int end = rowPointers[row + 1] - skipLast;
        T s = b[row];
        for (int k = rowPointers[row] + skipFirst; k < end; k++) s -= values[k] * x[columns[k]];
        x[row] = s * inverseDiagonal[row];
    }
}
