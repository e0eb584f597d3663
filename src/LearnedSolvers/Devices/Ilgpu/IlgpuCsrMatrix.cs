using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A CSR matrix in accelerator memory, uploaded once (row pointers, column indices and values: one copy each).
/// <para>
/// SpMV kernel, chosen at upload from the mean row length m = nnz / rows (Bell and Garland 2009; Ginkgo's "classical"
/// CSR picks its sub-warp size the same way): m &lt; <see cref="SubwarpThreshold"/> runs one thread per row (stencil
/// matrices: 5 to 7 entries, where a thread per row keeps every lane busy); otherwise a segment of L lanes per row with
/// L the largest power of two ≤ m, capped at the warp size, so the lanes of a segment read consecutive entries
/// (coalesced) and few of them idle at the row's end. Rows of very uneven length would want a load-balanced kernel
/// (merge-path or SELL-C-σ); that is future work.
/// </para>
/// </summary>
public sealed class IlgpuCsrMatrix : DeviceCsrMatrix
{
    /// <summary>Mean entries per row from which a row gets a segment of lanes instead of one thread.</summary>
    public const int SubwarpThreshold = 8;

    private readonly IlgpuDevice _device;
    private MemoryBuffer1D<int, Stride1D.Dense>? _rowPointers, _columns;
    private MemoryBuffer1D<double, Stride1D.Dense>? _values;

    internal IlgpuCsrMatrix(IlgpuDevice device, CsrMatrix host, int? lanesPerRow) : base(device, host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _device = device;
        LanesPerRow = lanesPerRow ?? ChooseLanesPerRow(host, device.WarpSize);
        if (LanesPerRow < 1 || LanesPerRow > device.WarpSize || (LanesPerRow & (LanesPerRow - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(lanesPerRow), LanesPerRow, $"Lanes per row must be 1 or a power of two up to the warp size {device.WarpSize}.");
        int nnz = host.NonZeros;
        try
        {
            _rowPointers = device.AllocateBuffer<int>(host.Rows + 1);
            _columns = device.AllocateBuffer<int>(Math.Max(1, nnz));
            _values = device.AllocateBuffer<double>(Math.Max(1, nnz));
            ((ArrayView<int>)_rowPointers.View).CopyFromCPU(host.RowPointers.AsSpan(0, host.Rows + 1));
            if (nnz > 0)
            {
                ((ArrayView<int>)_columns.View).SubView(0, nnz).CopyFromCPU(host.ColumnIndices.AsSpan(0, nnz));
                ((ArrayView<double>)_values.View).SubView(0, nnz).CopyFromCPU(host.Values.AsSpan(0, nnz));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>1: one thread per row; L &gt; 1: a segment of L warp lanes per row.</summary>
    public int LanesPerRow { get; }

    /// <summary>The automatic choice for <paramref name="a"/> on a device with the given warp size (see the class remarks).</summary>
    public static int ChooseLanesPerRow(CsrMatrix a, int warpSize)
    {
        ArgumentNullException.ThrowIfNull(a);
        double mean = a.Rows == 0 ? 0 : (double)a.NonZeros / a.Rows;
        if (mean < SubwarpThreshold) return 1;
        int lanes = 1 << (int)Math.Floor(Math.Log2(mean));
        return Math.Clamp(lanes, 1, warpSize);
    }

    public override void Apply(DeviceVector x, DeviceVector y)
    {
        var (xs, ys) = Check(x, y);
        lock (_device.Gate) Launch(xs, ys);
    }

    /// <summary>y = A x fused with xᵀy: each row's x_i y_i is summed while y_i is in a register (no second pass over x and y).</summary>
    public override double ApplyAndDot(DeviceVector x, DeviceVector y)
    {
        if (!Host.IsSquare) throw new InvalidOperationException($"ApplyAndDot needs a square matrix; this one is {Rows} x {Columns}.");
        var (xs, ys) = Check(x, y);
        if (Rows == 0) return 0;
        lock (_device.Gate)
        {
            ApplyAndDotToDevice(xs, ys, _device.ResultView);
            return _device.ReadResult();
        }
    }

    public override void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        if (!Host.IsSquare) throw new InvalidOperationException($"ApplyAndDotTo needs a square matrix; this one is {Rows} x {Columns}.");
        var (xs, ys) = Check(x, y);
        var view = _device.ScalarsView(s, slot, 1);
        lock (_device.Gate) ApplyAndDotToDevice(xs, ys, view);
    }

    /// <summary>y = A x and result[0] ← xᵀy, on the device (deterministic: the grid depends on the row count only). Call under the device's gate.</summary>
    internal void ApplyAndDotToDevice(IlgpuVector x, IlgpuVector y, ArrayView<double> result)
    {
        // Rows per group-slot: the sub-warp kernel covers GroupSize / LanesPerRow rows per group and sweep.
        int groups = _device.ReductionGroups(checked(Rows * LanesPerRow));
        var config = new KernelConfig(groups, _device.GroupSize);
        if (LanesPerRow == 1)
            _device.SpmvScalarWithDotPartials(config, _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View, _device.PartialsView);
        else
            _device.SpmvSubwarpWithDotPartials(config, _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View, LanesPerRow, _device.PartialsView);
        _device.FinishSum(groups, result);
    }

    private (IlgpuVector X, IlgpuVector Y) Check(DeviceVector x, DeviceVector y)
    {
        CheckSpmv(x, y);
        ObjectDisposedException.ThrowIf(_values is null, this);
        return ((IlgpuVector)x, (IlgpuVector)y);
    }

    private void Launch(IlgpuVector x, IlgpuVector y)
    {
        if (Rows == 0) return;
        if (LanesPerRow == 1)
        {
            _device.SpmvScalar(Rows, _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View);
            return;
        }
        long threads = (long)Rows * LanesPerRow;
        int groups = checked((int)((threads + _device.GroupSize - 1) / _device.GroupSize));
        _device.SpmvSubwarp(new KernelConfig(groups, _device.GroupSize), _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View, LanesPerRow);
    }

    /// <summary>Frees the device copy at once (idempotent).</summary>
    public override void Dispose()
    {
        Interlocked.Exchange(ref _rowPointers, null)?.Dispose();
        Interlocked.Exchange(ref _columns, null)?.Dispose();
        Interlocked.Exchange(ref _values, null)?.Dispose();
        base.Dispose();
    }
}
