using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// A square sparse matrix on a device in single precision, for training a network against it
/// (<see cref="INetworkKernels.SparseMultiply"/> applies it to a batch of rows).
/// </summary>
public sealed class SingleCsrMatrix : IDisposable
{
    private readonly INetworkKernels _kernels;

    public SingleCsrMatrix(Device device, CsrMatrix matrix)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(matrix);
        if (!matrix.IsSquare) throw new ArgumentException($"The matrix is {matrix.Rows} x {matrix.Columns}; a square one is needed.", nameof(matrix));
        Size = matrix.Rows;
        int nnz = matrix.NonZeros;
        RowPointers = device.Upload<int>(matrix.RowPointers.AsSpan(0, Size + 1), new Shape(Size + 1));
        // An empty matrix keeps one unused entry: buffers are never empty.
        int[] columns = nnz > 0 ? matrix.ColumnIndices[..nnz] : [0];
        Columns = device.Upload<int>(columns, new Shape(columns.Length));
        var values = new float[columns.Length];
        for (int k = 0; k < nnz; k++) values[k] = (float)matrix.Values[k];
        Values = device.Upload<float>(values, new Shape(values.Length));
        _kernels = device.Kernels(INetworkKernels.Family);
    }

    public int Size { get; }
    public DeviceBuffer<int> RowPointers { get; }
    public DeviceBuffer<int> Columns { get; }
    public DeviceBuffer<float> Values { get; }

    /// <summary>y[i, :] = A x[i, :] for the rows of x and y viewed as [B, Size].</summary>
    public void Multiply(DeviceBuffer<float> x, DeviceBuffer<float> y) => _kernels.SparseMultiply(RowPointers, Columns, Values, x, y);

    public void Dispose()
    {
        RowPointers.Dispose();
        Columns.Dispose();
        Values.Dispose();
    }
}
