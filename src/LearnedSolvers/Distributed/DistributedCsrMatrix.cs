using LearnedSolvers.Devices;
using LearnedSolvers.Distributed.Mpi;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Distributed;

/// <summary>
/// A square sparse matrix split by rows over the ranks of a <see cref="DistributedDevice"/>, applied as y = A x on its
/// distributed vectors. Each rank keeps its rows as two blocks (PETSc's MPIAIJ layout): the diagonal block, the columns
/// it owns, uploaded to the local device; and the off-diagonal block, the entries in columns other ranks own ("ghosts",
/// numbered after the owned columns in ascending global order), kept only for the rows that have any.
/// <para>
/// A product posts nonblocking receives of the ghost values and sends of the values its neighbours need (to and from
/// neighbours only, one message each way per neighbour and product), multiplies the diagonal block while the messages
/// travel, waits, and then adds the off-diagonal block's part to the boundary rows. All buffers and request slots are
/// made at setup, so a product allocates nothing. Every rank must apply the matrix together (the halo exchange pairs
/// their messages).
/// </para>
/// <para>
/// Where the local device's vectors are host-addressable (the CPU device), the values the neighbours need are packed
/// and the ghosts' part added straight from and into the local vectors. On any other local device (an ILGPU GPU) the
/// packing is a gather on the device followed by one copy into the send buffer, the received ghosts go up into a ghost
/// vector, and the off-diagonal block, uploaded to the local device, adds its product there; the diagonal block's
/// product is queued before the wait for the messages either way.
/// </para>
/// </summary>
public sealed unsafe class DistributedCsrMatrix : IFusedApplyDot, IResidualOperator, IDisposable
{
    private const int HaloTag = 7001, SetupTag = 7002;

    private readonly DistributedDevice _device;
    private readonly MpiCommunicator _communicator;
    private readonly int[] _boundaryRows, _offRowPointers, _offColumns;
    private readonly double[] _offValues;
    private readonly int[] _receiveRanks, _receiveOffsets, _sendRanks, _sendOffsets, _sendIndices;
    private readonly double[] _ghosts, _sendBuffer; // pinned: MPI holds their addresses between post and wait
    private readonly MpiRequests _requests;
    private readonly DeviceHalo? _deviceHalo; // null where the host indexes the local vectors
    private bool _disposed;

    private DistributedCsrMatrix(DistributedDevice device, CsrMatrix localRows)
    {
        _device = device;
        _communicator = device.Communicator;
        Rows = Columns = device.Partition.GlobalRows;
        int first = device.FirstRow, owned = device.LocalRows;

        var ghostColumns = GhostColumns(localRows, first, owned);
        var (diagonal, boundary, offPointers, offColumns, offValues) = Split(localRows, first, owned, ghostColumns);
        DiagonalBlock = device.Local.Upload(diagonal);
        _boundaryRows = boundary;
        _offRowPointers = offPointers;
        _offColumns = offColumns;
        _offValues = offValues;
        _ghosts = GC.AllocateArray<double>(ghostColumns.Length, pinned: true);

        // Ghosts are sorted by global column, so each owner's are contiguous: one receive per owner.
        var receiveRanks = new List<int>();
        var receiveOffsets = new List<int> { 0 };
        var requestCounts = new int[_communicator.Size];
        for (int g = 0; g < ghostColumns.Length; g++)
        {
            int owner = device.Partition.Owner(ghostColumns[g]);
            if (requestCounts[owner]++ == 0)
            {
                if (g > 0) receiveOffsets.Add(g);
                receiveRanks.Add(owner);
            }
        }
        receiveOffsets.Add(ghostColumns.Length);
        if (ghostColumns.Length == 0) receiveOffsets.RemoveAt(receiveOffsets.Count - 1);
        _receiveRanks = receiveRanks.ToArray();
        _receiveOffsets = receiveOffsets.ToArray();

        // Each owner learns which of its rows each neighbour needs: counts by all-to-all, then the index lists themselves.
        var sendCounts = new int[_communicator.Size];
        _communicator.Alltoall(requestCounts, sendCounts);
        var sendRanks = new List<int>();
        var sendOffsets = new List<int> { 0 };
        for (int r = 0; r < sendCounts.Length; r++)
        {
            if (sendCounts[r] == 0) continue;
            sendRanks.Add(r);
            sendOffsets.Add(sendOffsets[^1] + sendCounts[r]);
        }
        _sendRanks = sendRanks.ToArray();
        _sendOffsets = sendOffsets.ToArray();
        _sendIndices = GC.AllocateArray<int>(_sendOffsets[^1], pinned: true);
        _sendBuffer = GC.AllocateArray<double>(_sendOffsets[^1], pinned: true);
        _requests = _communicator.CreateRequests(_receiveRanks.Length + _sendRanks.Length);
        ExchangeIndexLists(ghostColumns, first, owned);
        if (!device.Local.HasHostAddressableVectors)
            _deviceHalo = new DeviceHalo(device.Local, owned, _sendIndices, ghostColumns.Length, _boundaryRows, _offRowPointers, _offColumns, _offValues);
    }

    /// <summary>
    /// The matrix from a whole matrix that every rank holds: each rank keeps its rows of <paramref name="global"/>
    /// (collective).
    /// </summary>
    /// <param name="device">The distributed device whose partition splits the rows.</param>
    /// <param name="global">The square matrix, the same on every rank.</param>
    public static DistributedCsrMatrix FromGlobal(DistributedDevice device, CsrMatrix global)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(global);
        if (global.Rows != device.Partition.GlobalRows || global.Columns != global.Rows)
            throw new ArgumentException($"The matrix is {global.Rows} x {global.Columns}; the partition needs a square matrix of {device.Partition.GlobalRows} rows.", nameof(global));
        int first = device.FirstRow, count = device.LocalRows;
        int begin = global.RowPointers[first], end = global.RowPointers[first + count];
        var pointers = new int[count + 1];
        for (int i = 0; i <= count; i++) pointers[i] = global.RowPointers[first + i] - begin;
        var local = CsrMatrix.Trusted(count, global.Columns, pointers, global.ColumnIndices[begin..end], global.Values[begin..end]);
        return FromLocalRows(device, local);
    }

    /// <summary>
    /// The matrix from this rank's rows alone (read by rows from a file, or generated per rank): <paramref name="localRows"/>
    /// holds rows [FirstRow, FirstRow + LocalRows) of the global matrix with global column indices (collective).
    /// </summary>
    /// <param name="device">The distributed device whose partition splits the rows.</param>
    /// <param name="localRows">LocalRows x GlobalRows: this rank's rows.</param>
    public static DistributedCsrMatrix FromLocalRows(DistributedDevice device, CsrMatrix localRows)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(localRows);
        if (localRows.Rows != device.LocalRows || localRows.Columns != device.Partition.GlobalRows)
            throw new ArgumentException($"This rank's rows are {localRows.Rows} x {localRows.Columns}; rank {device.Communicator.Rank} owns " +
                $"{device.LocalRows} rows of a square matrix of {device.Partition.GlobalRows}.", nameof(localRows));
        return new DistributedCsrMatrix(device, localRows);
    }

    /// <summary>Global rows.</summary>
    public int Rows { get; }

    /// <summary>Global columns (= rows).</summary>
    public int Columns { get; }

    /// <summary>The distributed device whose vectors the product takes.</summary>
    public Device Device => _device;

    /// <summary>The same device as <see cref="Device"/>, typed: the partition, the communicator and the local device.</summary>
    public DistributedDevice Ranks => _device;

    /// <summary>This rank's rows in its own columns (LocalRows x LocalRows), on the local device: what a per-rank (block Jacobi) preconditioner factors.</summary>
    public DeviceCsrMatrix DiagonalBlock { get; }

    /// <summary>This rank's stored entries (both blocks).</summary>
    public long LocalNonZeros => DiagonalBlock.Host.NonZeros + _offValues.Length;

    /// <summary>Σ_j |a_ij| over each of this rank's rows, both blocks: the row sums a Gershgorin bound reads.</summary>
    public double[] LocalRowAbsoluteSums()
    {
        var sums = new double[DiagonalBlock.Rows];
        var d = DiagonalBlock.Host;
        for (int i = 0; i < d.Rows; i++)
            for (int j = d.RowPointers[i]; j < d.RowPointers[i + 1]; j++) sums[i] += Math.Abs(d.Values[j]);
        for (int k = 0; k < _boundaryRows.Length; k++)
            for (int j = _offRowPointers[k]; j < _offRowPointers[k + 1]; j++) sums[_boundaryRows[k]] += Math.Abs(_offValues[j]);
        return sums;
    }

    /// <summary>Values this rank receives per product: one per distinct column that another rank owns.</summary>
    public int GhostCount => _ghosts.Length;

    /// <summary>This rank's rows that read a ghost (the rows finished after the messages arrive).</summary>
    public int BoundaryRowCount => _boundaryRows.Length;

    /// <summary>Ranks this rank receives ghosts from.</summary>
    public int ReceiveNeighbours => _receiveRanks.Length;

    /// <summary>Messages this rank sends per product (one per neighbour that reads its rows).</summary>
    public int MessagesPerApply => _sendRanks.Length;

    /// <summary>Bytes this rank sends per product (8 per value a neighbour reads).</summary>
    public long BytesPerApply => _sendIndices.Length * (long)sizeof(double);

    /// <summary>y = A x (collective).</summary>
    public void Apply(DeviceVector x, DeviceVector y) => Run(x, y, withDot: false);

    /// <summary>y = A x and returns xᵀy summed over all ranks (collective).</summary>
    public double ApplyAndDot(DeviceVector x, DeviceVector y) => _device.SumAcrossRanks(Run(x, y, withDot: true));

    /// <summary>y = A x and s[slot] ← xᵀy summed over all ranks (collective).</summary>
    public void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot) =>
        _device.ScalarsOf(s).Set(slot, ApplyAndDot(x, y));

    /// <summary>
    /// r = b − A x (collective): the diagonal block's fused residual overlaps the halo exchange, then the boundary rows
    /// subtract the ghosts' part. <paramref name="b"/> may be <paramref name="r"/>; <paramref name="x"/> must not be.
    /// </summary>
    public void Residual(DeviceVector b, DeviceVector x, DeviceVector r)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Check(b, Rows, nameof(b));
        _device.Check(x, Columns, nameof(x));
        _device.Check(r, Rows, nameof(r));
        if (ReferenceEquals(x, r)) throw new ArgumentException("The residual cannot overwrite x (x and r are the same vector).", nameof(r));
        var xl = _device.LocalOf(x, nameof(x));
        var rl = _device.LocalOf(r, nameof(r));
        BeginHaloExchange(xl);
        DiagonalBlock.Residual(_device.LocalOf(b, nameof(b)), xl, rl);
        _communicator.WaitAll(_requests);
        FinishBoundary(xl, rl, withDot: false, sign: -1);
    }

    /// <summary>This rank's part: y_local = A_d x_local (overlapping the halo exchange) + A_o ghosts; returns x_localᵀy_local when asked.</summary>
    private double Run(DeviceVector x, DeviceVector y, bool withDot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _device.Check(x, Columns, nameof(x));
        _device.Check(y, Rows, nameof(y));
        if (ReferenceEquals(x, y)) throw new ArgumentException("The product cannot write its result over its input (x and y are the same vector).", nameof(y));
        var xl = _device.LocalOf(x, nameof(x));
        var yl = _device.LocalOf(y, nameof(y));
        BeginHaloExchange(xl);
        // On a device, xᵀy is taken after the ghosts' part is added (one dot over the finished y); fusing it into the
        // diagonal product would read the partial y back to the host before the messages arrive.
        bool fused = withDot && _deviceHalo is null;
        double dot = fused ? DiagonalBlock.ApplyAndDot(xl, yl) : 0;
        if (!fused) DiagonalBlock.Apply(xl, yl);
        _communicator.WaitAll(_requests);
        dot += FinishBoundary(xl, yl, withDot: fused, sign: 1);
        return withDot && !fused ? _device.Local.Dot(xl, yl) : dot;
    }

    /// <summary>Posts the receives, packs the values the neighbours read from <paramref name="x"/> (on the host or on the device), posts the sends.</summary>
    private void BeginHaloExchange(DeviceVector x)
    {
        // The pinned arrays never move, so the addresses MPI keeps between post and wait stay valid after the fixed scope.
        fixed (double* ghosts = _ghosts)
        fixed (double* send = _sendBuffer)
        {
            for (int k = 0; k < _receiveRanks.Length; k++)
                _communicator.PostReceive(ghosts + _receiveOffsets[k], _receiveOffsets[k + 1] - _receiveOffsets[k], MpiDatatype.Double, _receiveRanks[k], HaloTag, _requests);
            if (_deviceHalo is not null) _deviceHalo.Pack(x, _sendBuffer);
            else
            {
                var xs = CpuVector.SpanOf(x, nameof(DistributedCsrMatrix));
                for (int i = 0; i < _sendIndices.Length; i++) _sendBuffer[i] = xs[_sendIndices[i]];
            }
            for (int k = 0; k < _sendRanks.Length; k++)
                _communicator.PostSend(send + _sendOffsets[k], _sendOffsets[k + 1] - _sendOffsets[k], MpiDatatype.Double, _sendRanks[k], HaloTag, _requests);
        }
    }

    /// <summary>y ← y + sign · A_o ghosts on the boundary rows; returns Σ x[row]·(A_o ghosts)[row] when asked (host path only).</summary>
    private double FinishBoundary(DeviceVector x, DeviceVector y, bool withDot, double sign)
    {
        if (_deviceHalo is not null)
        {
            _deviceHalo.AddOffDiagonal(_ghosts, y, sign);
            return 0;
        }
        return AddBoundary(CpuVector.SpanOf(x, nameof(DistributedCsrMatrix)), CpuVector.SpanOf(y, nameof(DistributedCsrMatrix)), withDot, sign);
    }

    /// <summary>y[row] += sign · (A_o ghosts)[row] on the boundary rows; returns Σ x[row]·(A_o ghosts)[row] when asked.</summary>
    private double AddBoundary(ReadOnlySpan<double> x, Span<double> y, bool withDot, double sign)
    {
        double dot = 0;
        for (int k = 0; k < _boundaryRows.Length; k++)
        {
            double s = 0;
            for (int j = _offRowPointers[k]; j < _offRowPointers[k + 1]; j++) s += _offValues[j] * _ghosts[_offColumns[j]];
            int row = _boundaryRows[k];
            y[row] += sign * s;
            if (withDot) dot += x[row] * s;
        }
        return dot;
    }

    /// <summary>The distinct columns outside [first, first + owned), ascending.</summary>
    private static int[] GhostColumns(CsrMatrix a, int first, int owned)
    {
        var ghosts = new HashSet<int>();
        foreach (int c in a.ColumnIndices.AsSpan(0, a.NonZeros))
            if (c < first || c >= first + owned) ghosts.Add(c);
        var sorted = ghosts.ToArray();
        Array.Sort(sorted);
        return sorted;
    }

    /// <summary>The diagonal block (owned columns, renumbered from 0) and the off-diagonal block compressed to the rows that have ghost entries.</summary>
    private static (CsrMatrix Diagonal, int[] BoundaryRows, int[] OffPointers, int[] OffColumns, double[] OffValues) Split(
        CsrMatrix a, int first, int owned, int[] ghostColumns)
    {
        var diagonalPointers = new int[a.Rows + 1];
        var diagonalColumns = new List<int>(a.NonZeros);
        var diagonalValues = new List<double>(a.NonZeros);
        var boundary = new List<int>();
        var offPointers = new List<int> { 0 };
        var offColumns = new List<int>();
        var offValues = new List<double>();
        for (int i = 0; i < a.Rows; i++)
        {
            int before = offColumns.Count;
            for (int j = a.RowPointers[i]; j < a.RowPointers[i + 1]; j++)
            {
                int c = a.ColumnIndices[j];
                if (c >= first && c < first + owned)
                {
                    diagonalColumns.Add(c - first);
                    diagonalValues.Add(a.Values[j]);
                }
                else
                {
                    offColumns.Add(Array.BinarySearch(ghostColumns, c));
                    offValues.Add(a.Values[j]);
                }
            }
            diagonalPointers[i + 1] = diagonalColumns.Count;
            if (offColumns.Count > before)
            {
                boundary.Add(i);
                offPointers.Add(offColumns.Count);
            }
        }
        // Owned columns keep their order (an offset), so each row stays sorted.
        var diagonal = CsrMatrix.Trusted(a.Rows, owned, diagonalPointers, diagonalColumns.ToArray(), diagonalValues.ToArray());
        return (diagonal, boundary.ToArray(), offPointers.ToArray(), offColumns.ToArray(), offValues.ToArray());
    }

    /// <summary>Sends each owner the global columns this rank reads from it; receives the local rows each neighbour reads from this rank.</summary>
    private void ExchangeIndexLists(int[] ghostColumns, int first, int owned)
    {
        var wanted = GC.AllocateArray<int>(ghostColumns.Length, pinned: true);
        ghostColumns.CopyTo(wanted, 0);
        fixed (int* want = wanted)
        fixed (int* indices = _sendIndices)
        {
            for (int k = 0; k < _sendRanks.Length; k++)
                _communicator.PostReceive(indices + _sendOffsets[k], _sendOffsets[k + 1] - _sendOffsets[k], MpiDatatype.Int32, _sendRanks[k], SetupTag, _requests);
            for (int k = 0; k < _receiveRanks.Length; k++)
                _communicator.PostSend(want + _receiveOffsets[k], _receiveOffsets[k + 1] - _receiveOffsets[k], MpiDatatype.Int32, _receiveRanks[k], SetupTag, _requests);
            _communicator.WaitAll(_requests);
        }
        for (int i = 0; i < _sendIndices.Length; i++)
        {
            int row = _sendIndices[i] - first;
            if ((uint)row >= (uint)owned)
                throw new InvalidOperationException($"A neighbour asked rank {_communicator.Rank} for row {_sendIndices[i]}, which it does not own (its rows are {first}..{first + owned - 1}): the ranks disagree on the partition.");
            _sendIndices[i] = row;
        }
    }

    /// <summary>Releases the diagonal block's upload; the device is the caller's.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        DiagonalBlock.Dispose();
        _deviceHalo?.Dispose();
    }
}
