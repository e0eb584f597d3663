using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A triangular matrix in accelerator memory with its level schedule: the rows permuted level by level, the CSR
/// arrays and 1/d_i, one copy each, the values in double or in single precision. A solve makes one launch per level (the level starts stay on the host), so its
/// cost grows with the number of levels: a 2D stencil in natural order has about 2√n levels of at most √n rows.
/// </summary>
internal sealed class IlgpuTriangularMatrix : DeviceTriangularMatrix
{
    private readonly IlgpuDevice _device;
    private readonly IlgpuTriangularSolveKernels _kernels;
    private readonly double[] _hostInverseDiagonal;
    private MemoryBuffer1D<int, Stride1D.Dense>? _levelRows, _rowPointers, _columns;
    private MemoryBuffer1D<double, Stride1D.Dense>? _values, _inverseDiagonal;
    private MemoryBuffer1D<float, Stride1D.Dense>? _singleValues, _singleInverseDiagonal;
    private readonly float[]? _hostSingleValues, _hostSingleInverseDiagonal;

    internal IlgpuTriangularMatrix(IlgpuDevice device, IlgpuTriangularSolveKernels kernels, TriangularMatrix host, Precision precision)
        : base(device, host, precision)
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
            if (precision == Precision.Single)
            {
                _hostSingleValues = new float[nnz];
                _hostSingleInverseDiagonal = new float[n];
                _singleValues = device.AllocateBuffer<float>(Math.Max(1, nnz));
                _singleInverseDiagonal = device.AllocateBuffer<float>(Math.Max(1, n));
            }
            else
            {
                _values = device.AllocateBuffer<double>(Math.Max(1, nnz));
                _inverseDiagonal = device.AllocateBuffer<double>(Math.Max(1, n));
            }
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
        ObjectDisposedException.ThrowIf(_rowPointers is null, this);
        Host.InverseDiagonal(_hostInverseDiagonal);
        CopyValues();
    }

    private void CopyValues()
    {
        int n = Host.Size, nnz = Host.NonZeros;
        if (Precision == Precision.Single)
        {
            for (int k = 0; k < nnz; k++) _hostSingleValues![k] = (float)Host.Values[k];
            for (int i = 0; i < n; i++)
            {
                float inverse = (float)_hostInverseDiagonal[i];
                if (!float.IsFinite(inverse)) throw new Preconditioners.ZeroPivotException(nameof(TriangularMatrix), i, 1 / _hostInverseDiagonal[i]);
                _hostSingleInverseDiagonal![i] = inverse;
            }
            using (_device.Lock())
            {
                if (nnz > 0) ((ArrayView<float>)_singleValues!.View).SubView(0, nnz).CopyFromCPU(_hostSingleValues!);
                if (n > 0) ((ArrayView<float>)_singleInverseDiagonal!.View).SubView(0, n).CopyFromCPU(_hostSingleInverseDiagonal!);
            }
            return;
        }
        using (_device.Lock())
        {
            if (nnz > 0) ((ArrayView<double>)_values!.View).SubView(0, nnz).CopyFromCPU(Host.Values.AsSpan(0, nnz));
            if (n > 0) ((ArrayView<double>)_inverseDiagonal!.View).SubView(0, n).CopyFromCPU(_hostInverseDiagonal);
        }
    }

    public override void Solve(DeviceBuffer<float> b, DeviceBuffer<float> x)
    {
        CheckSolve(b, x);
        ObjectDisposedException.ThrowIf(_singleValues is null, this);
        SolveLevels(_kernels.SolveLevelSingle, _singleValues.View, _singleInverseDiagonal!.View, ((IlgpuBuffer<float>)b).View, ((IlgpuBuffer<float>)x).View);
    }

    public override void Solve(DeviceVector b, DeviceVector x)
    {
        CheckSolve(b, x);
        ObjectDisposedException.ThrowIf(_values is null, this);
        SolveLevels(_kernels.SolveLevel, _values.View, _inverseDiagonal!.View, ((IlgpuVector)b).View, ((IlgpuVector)x).View);
    }

    /// <summary>One launch of <paramref name="kernel"/> per level, in order.</summary>
    private void SolveLevels<T>(
        Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<int>, ArrayView<T>, ArrayView<T>, int, int, ArrayView<T>, ArrayView<T>> kernel,
        ArrayView<T> values, ArrayView<T> inverseDiagonal, ArrayView<T> b, ArrayView<T> x) where T : unmanaged
    {
        if (Size == 0) return;
        var levels = Host.Levels;
        ArrayView<int> levelRows = _levelRows!.View;
        int skipFirst = Host.DiagonalFirst, skipLast = Host.DiagonalLast;
        using (_device.Lock())
        {
            for (int level = 0; level < levels.LevelCount; level++)
            {
                int start = levels.LevelStarts[level], width = levels.LevelStarts[level + 1] - start;
                kernel(width, levelRows.SubView(start, width), _rowPointers!.View, _columns!.View, values, inverseDiagonal, skipFirst, skipLast, b, x);
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
        Interlocked.Exchange(ref _singleValues, null)?.Dispose();
        Interlocked.Exchange(ref _singleInverseDiagonal, null)?.Dispose();
        base.Dispose();
    }
}
