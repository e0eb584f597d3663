using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Native;

/// <summary>
/// What <c>ls_matrix</c> stands for: a copy of the caller's CSR arrays and its upload to the context's device.
/// Solvers made from it keep it alive (a count of users), so C may free the matrix and its solvers in any order.
/// A value update waits for running solves (a reader-writer lock): a solve never sees half-written values.
/// </summary>
internal sealed class NativeMatrix
{
    private readonly ReaderWriterLockSlim _lock = new();
    private int _users = 1;
    private long _version;

    private NativeMatrix(CsrMatrix host, DeviceCsrMatrix device)
    {
        Host = host;
        Device = device;
    }

    public CsrMatrix Host { get; }
    public DeviceCsrMatrix Device { get; }

    /// <summary>Counts value updates; a solver that last saw another number redoes its setup before solving.</summary>
    public long Version => Interlocked.Read(ref _version);

    public static unsafe NativeMatrix Create(NativeContext context, int n, int nnz, int* rowPointers, int* columnIndices, double* values)
    {
        if (n < 1) throw new NativeException(NativeStatus.InvalidArgument, $"n is {n}; a matrix needs at least one row");
        if (nnz < 0) throw new NativeException(NativeStatus.InvalidArgument, $"nnz is {nnz}; it cannot be negative");
        if (rowPointers is null) throw new NativeException(NativeStatus.InvalidArgument, "row_ptr is NULL");
        if (nnz > 0 && columnIndices is null) throw new NativeException(NativeStatus.InvalidArgument, "col_idx is NULL");
        if (nnz > 0 && values is null) throw new NativeException(NativeStatus.InvalidArgument, "values is NULL");

        // Read row_ptr first and check its last entry, so that a wrong nnz never makes us read past the caller's arrays.
        var rp = new ReadOnlySpan<int>(rowPointers, n + 1).ToArray();
        if (rp[n] != nnz)
            throw new NativeException(NativeStatus.InvalidMatrix, $"invalid CSR matrix (indices are 0-based): row_ptr[{n}] is {rp[n]}, but nnz is {nnz}");
        var ci = nnz == 0 ? [] : new ReadOnlySpan<int>(columnIndices, nnz).ToArray();
        var v = nnz == 0 ? [] : new ReadOnlySpan<double>(values, nnz).ToArray();
        var host = new CsrMatrix(n, n, rp, ci, v);
        return new NativeMatrix(host, context.Device.Upload(host));
    }

    public unsafe void UpdateValues(int nnz, double* values)
    {
        if (nnz != Host.NonZeros)
            throw new NativeException(NativeStatus.InvalidArgument, $"nnz is {nnz}; the matrix has {Host.NonZeros} stored entries");
        if (nnz > 0 && values is null) throw new NativeException(NativeStatus.InvalidArgument, "values is NULL");
        var source = new ReadOnlySpan<double>(values, nnz);
        int bad = source.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (bad >= 0)
            throw new NativeException(NativeStatus.InvalidMatrix,
                $"invalid values (indices are 0-based): entry {bad} (row {Host.RowOf(bad)}, column {Host.ColumnIndices[bad]}) is {source[bad]}; values must be finite");
        _lock.EnterWriteLock();
        try
        {
            source.CopyTo(Host.Values);
            Device.UpdateValues();
            Interlocked.Increment(ref _version);
        }
        finally
        {
            _lock.ExitWriteLock();
        }
    }

    /// <summary>Held by a solve for its whole length.</summary>
    public IDisposable ReadScope()
    {
        _lock.EnterReadLock();
        return new Scope(_lock);
    }

    public void AddUser() => Interlocked.Increment(ref _users);

    /// <summary>Drops one user (the C handle or a solver); the last one releases the device memory.</summary>
    public void Release()
    {
        if (Interlocked.Decrement(ref _users) == 0) Device.Dispose();
    }

    private sealed class Scope(ReaderWriterLockSlim gate) : IDisposable
    {
        public void Dispose() => gate.ExitReadLock();
    }
}
