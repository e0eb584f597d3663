using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Distributed;

/// <summary>
/// The halo exchange's work on a local device whose vectors the host cannot index (an ILGPU device): the values the
/// neighbours read are gathered on the device by a 0/1 selection matrix (one entry per row, so its product with x is
/// the gather, on any device and with no kernel of its own), and the off-diagonal block is a matrix on the device over a
/// ghost vector. Every buffer is made here, once, so a product allocates nothing; the host side (the pinned send and
/// ghost arrays MPI reads and writes) stays with <see cref="DistributedCsrMatrix"/>.
/// </summary>
internal sealed class DeviceHalo : IDisposable
{
    private readonly Device _local;
    private readonly DeviceCsrMatrix? _selection, _offDiagonal;
    private readonly DeviceVector? _send, _ghosts, _product;

    /// <param name="local">This rank's device.</param>
    /// <param name="localRows">This rank's row count: the columns of the selection and the rows of the off-diagonal block.</param>
    /// <param name="sendIndices">The local rows the neighbours read, in message order.</param>
    /// <param name="ghostCount">The ghost values this rank receives.</param>
    /// <param name="boundaryRows">The rows of the compressed off-diagonal block, ascending.</param>
    /// <param name="offPointers">Row pointers of the compressed off-diagonal block (one row per boundary row).</param>
    /// <param name="offColumns">Ghost indices of its entries.</param>
    /// <param name="offValues">Its values.</param>
    public DeviceHalo(Device local, int localRows, int[] sendIndices, int ghostCount,
        int[] boundaryRows, int[] offPointers, int[] offColumns, double[] offValues)
    {
        _local = local;
        if (sendIndices.Length > 0)
        {
            var pointers = new int[sendIndices.Length + 1];
            for (int i = 0; i < pointers.Length; i++) pointers[i] = i;
            var ones = new double[sendIndices.Length];
            Array.Fill(ones, 1.0);
            _selection = local.Upload(CsrMatrix.Trusted(sendIndices.Length, localRows, pointers, (int[])sendIndices.Clone(), ones));
            _send = local.Allocate(sendIndices.Length);
        }
        if (ghostCount > 0)
        {
            // The compressed block expanded to every local row (empty rows for interior ones), so its product has the
            // layout of y and one axpy adds it: no scatter kernel is needed, at the cost of a pass over the empty rows.
            var pointers = new int[localRows + 1];
            for (int k = 0; k < boundaryRows.Length; k++) pointers[boundaryRows[k] + 1] = offPointers[k + 1] - offPointers[k];
            for (int i = 0; i < localRows; i++) pointers[i + 1] += pointers[i];
            _offDiagonal = local.Upload(CsrMatrix.Trusted(localRows, ghostCount, pointers, (int[])offColumns.Clone(), (double[])offValues.Clone()));
            _ghosts = local.Allocate(ghostCount);
            _product = local.Allocate(localRows);
        }
    }

    /// <summary>send ← x[sendIndices], gathered on the device and copied to the host (waits for the copy).</summary>
    public void Pack(DeviceVector x, Span<double> send)
    {
        if (_selection is null) return;
        _selection.Apply(x, _send!);
        _send!.CopyTo(send);
    }

    /// <summary>y ← y + sign · A_o ghosts: the received ghosts uploaded, multiplied by the off-diagonal block on the device.</summary>
    public void AddOffDiagonal(ReadOnlySpan<double> ghosts, DeviceVector y, double sign)
    {
        if (_offDiagonal is null) return;
        _ghosts!.CopyFrom(ghosts);
        _offDiagonal.Apply(_ghosts, _product!);
        _local.Axpy(sign, _product!, y);
    }

    public void Dispose()
    {
        _selection?.Dispose();
        _offDiagonal?.Dispose();
        _send?.Dispose();
        _ghosts?.Dispose();
        _product?.Dispose();
    }
}
