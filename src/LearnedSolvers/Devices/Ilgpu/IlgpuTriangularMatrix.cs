using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A triangular matrix in accelerator memory with its level schedule: the rows permuted level by level, the CSR
/// arrays and 1/d_i, one copy each. A solve makes one launch per level (the level starts stay on the host), so its
/// cost grows with the number of levels: a 2D stencil in natural order has about 2√n levels of at most √n rows.
/// </summary>
internal sealed class IlgpuTriangularMatrix : DeviceTriangularMatrix
{
    private readonly IlgpuDevice _device;
    private readonly IlgpuTriangularSolveKernels _kernels;
    private readonly double[] _hostInverseDiagonal;
    private MemoryBuffer1D<int, Stride1D.Dense>? _levelRows, _rowPointers, _columns;
    private MemoryBuffer1D<double, Stride1D.Dense>? _values, _inverseDiagonal;

    internal IlgpuTriangularMatrix(IlgpuDevice device, IlgpuTriangularSolveKernels kernels, TriangularMatrix host) : base(device, host)
    {
        _device = device;
        _kernels = kernels;
        _hostInverseDiagonal = new double[host.Size];
        host.InverseDiagonal(_hostInverseDiagonal);
        int n = host.Size, nnz = host.NonZeros;
        try
        {
            _levelRows = device.AllocateBuffer<int>(Math.Max(1, n));
            _rowPointers = device.AllocateBuffer<int>(n + 1);
            _columns = device.AllocateBuffer<int>(Math.Max(1, nnz));
            _values = device.AllocateBuffer<double>(Math.Max(1, nnz));
            _inverseDiagonal = device.AllocateBuffer<double>(Math.Max(1, n));
            using (device.Lock())
            {
                ((ArrayView<int>)_rowPointers.View).CopyFromCPU(host.RowPointers.AsSpan(0, n + 1));
                if (n > 0) ((ArrayView<int>)_levelRows.View).SubView(0, n).CopyFromCPU(host.Levels.Rows.AsSpan(0, n));
                if (nnz > 0) ((ArrayView<int>)_columns.View).SubView(0, nnz).CopyFromCPU(host.ColumnIndices.AsSpan(0, nnz));
            }
            CopyValues();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public override void UpdateValues()
    {
        ObjectDisposedException.ThrowIf(_values is null, this);
        Host.InverseDiagonal(_hostInverseDiagonal);
        CopyValues();
    }

    private void CopyValues()
    {
        int n = Host.Size, nnz = Host.NonZeros;
        using (_device.Lock())
        {
            if (nnz > 0) ((ArrayView<double>)_values!.View).SubView(0, nnz).CopyFromCPU(Host.Values.AsSpan(0, nnz));
            if (n > 0) ((ArrayView<double>)_inverseDiagonal!.View).SubView(0, n).CopyFromCPU(_hostInverseDiagonal);
        }
    }

    public override void Solve(DeviceVector b, DeviceVector x)
    {
        CheckSolve(b, x);
        ObjectDisposedException.ThrowIf(_values is null, this);
        if (Size == 0) return;
        var bv = ((IlgpuVector)b).View;
        var xv = ((IlgpuVector)x).View;
        var levels = Host.Levels;
        ArrayView<int> levelRows = _levelRows!.View;
        int skipFirst = Host.DiagonalFirst, skipLast = Host.DiagonalLast;
        using (_device.Lock())
        {
            for (int level = 0; level < levels.LevelCount; level++)
            {
                int start = levels.LevelStarts[level], width = levels.LevelStarts[level + 1] - start;
                _kernels.SolveLevel(width, levelRows.SubView(start, width), _rowPointers!.View, _columns!.View, _values!.View,
                    _inverseDiagonal!.View, skipFirst, skipLast, bv, xv);
            }
        }
    }

    /// <summary>Frees the device copy at once (idempotent).</summary>
    public override void Dispose()
    {
        Interlocked.Exchange(ref _levelRows, null)?.Dispose();
        Interlocked.Exchange(ref _rowPointers, null)?.Dispose();
        Interlocked.Exchange(ref _columns, null)?.Dispose();
        Interlocked.Exchange(ref _values, null)?.Dispose();
        Interlocked.Exchange(ref _inverseDiagonal, null)?.Dispose();
        base.Dispose();
    }
}
