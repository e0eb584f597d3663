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
public sealed class IlgpuCsrMatrix : IlgpuMatrix
{
    /// <summary>Mean entries per row from which a row gets a segment of lanes instead of one thread.</summary>
    public const int SubwarpThreshold = 8;

    private MemoryBuffer1D<int, Stride1D.Dense>? _rowPointers, _columns;
    private MemoryBuffer1D<double, Stride1D.Dense>? _values;

    internal IlgpuCsrMatrix(IlgpuDevice device, CsrMatrix host, int? lanesPerRow) : base(device, host)
    {
        ArgumentNullException.ThrowIfNull(host);
        LanesPerRow = lanesPerRow ?? ChooseLanesPerRow(host, device.WarpSize);
        if (LanesPerRow < 1 || LanesPerRow > device.WarpSize || (LanesPerRow & (LanesPerRow - 1)) != 0)
            throw new ArgumentOutOfRangeException(nameof(lanesPerRow), LanesPerRow, $"Lanes per row must be 1 or a power of two up to the warp size {device.WarpSize}.");
        int nnz = host.NonZeros;
        try
        {
            _rowPointers = device.AllocateBuffer<int>(host.Rows + 1);
            _columns = device.AllocateBuffer<int>(Math.Max(1, nnz));
            _values = device.AllocateBuffer<double>(Math.Max(1, nnz));
            using (device.Lock())
            {
                ((ArrayView<int>)_rowPointers.View).CopyFromCPU(host.RowPointers.AsSpan(0, host.Rows + 1));
                if (nnz > 0)
                {
                    ((ArrayView<int>)_columns.View).SubView(0, nnz).CopyFromCPU(host.ColumnIndices.AsSpan(0, nnz));
                    ((ArrayView<double>)_values.View).SubView(0, nnz).CopyFromCPU(host.Values.AsSpan(0, nnz));
                }
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

    private protected override bool IsReleased => _values is null;

    private protected override void LaunchWithDot(IlgpuVector x, IlgpuVector y, ArrayView<double> result)
    {
        // Rows per group-slot: the sub-warp kernel covers GroupSize / LanesPerRow rows per group and sweep.
        int groups = Accelerated.ReductionGroups(checked(Rows * LanesPerRow));
        var config = new KernelConfig(groups, Accelerated.GroupSize);
        if (LanesPerRow == 1)
            Accelerated.SpmvScalarWithDot(config, _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View, Accelerated.PartialsView, Accelerated.ArrivalsView, result);
        else
            Accelerated.SpmvSubwarpWithDot(config, _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View, LanesPerRow, Accelerated.PartialsView, Accelerated.ArrivalsView, result);
    }

    private protected override void LaunchDirectionWithDot(IlgpuVector z, IlgpuVector p, IlgpuVector pNext, IlgpuVector q,
        ArrayView<double> scalars, int numerator, int denominator, ArrayView<double> result)
    {
        int groups = Accelerated.ReductionGroups(checked(Rows * LanesPerRow));
        var config = new KernelConfig(groups, Accelerated.GroupSize);
        if (LanesPerRow == 1)
        {
            var kernel = Accelerated.LoadOnDemand(static accelerator => accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>,
                ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
                ArrayView<double>, ArrayView<int>, ArrayView<double>>(SpmvKernels.ScalarDirectionWithDot));
            kernel(config, _rowPointers!.View, _columns!.View, _values!.View, scalars, numerator, denominator,
                z.View, p.View, pNext.View, q.View, Accelerated.PartialsView, Accelerated.ArrivalsView, result);
        }
        else
        {
            var kernel = Accelerated.LoadOnDemand(static accelerator => accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>,
                ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int,
                ArrayView<double>, ArrayView<int>, ArrayView<double>>(SpmvKernels.SubwarpDirectionWithDot));
            kernel(config, _rowPointers!.View, _columns!.View, _values!.View, scalars, numerator, denominator,
                z.View, p.View, pNext.View, q.View, LanesPerRow, Accelerated.PartialsView, Accelerated.ArrivalsView, result);
        }
    }

    private protected override void Launch(IlgpuVector x, IlgpuVector y)
    {
        if (LanesPerRow == 1)
        {
            Accelerated.SpmvScalar(Rows, _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View);
            return;
        }
        long threads = (long)Rows * LanesPerRow;
        int groups = checked((int)((threads + Accelerated.GroupSize - 1) / Accelerated.GroupSize));
        Accelerated.SpmvSubwarp(new KernelConfig(groups, Accelerated.GroupSize), _rowPointers!.View, _columns!.View, _values!.View, x.View, y.View, LanesPerRow);
    }

    /// <summary>Y = A X for k columns at once, one thread per entry of Y (the row's entries shared through the cache).</summary>
    public override void Apply(DeviceBuffer<double> x, DeviceBuffer<double> y)
    {
        int k = CheckBlockSpmv(x, y);
        if (k == 0 || Rows == 0) return;
        var kernel = Accelerated.LoadOnDemand(static accelerator => accelerator.LoadAutoGroupedStreamKernel<Index2D, ArrayView<int>, ArrayView<int>,
            ArrayView<double>, ArrayView<double>, ArrayView<double>, int, int>(SpmvKernels.ScalarBlock));
        using (Accelerated.Lock())
        {
            ObjectDisposedException.ThrowIf(IsReleased, this);
            kernel(new Index2D(Rows, k), _rowPointers!.View, _columns!.View, _values!.View, IlgpuBufferKernels.View(x), IlgpuBufferKernels.View(y), x.Shape[1], y.Shape[1]);
        }
    }

    public override void UpdateValues()
    {
        int nnz = Host.NonZeros;
        using (Accelerated.Lock())
        {
            ObjectDisposedException.ThrowIf(IsReleased, this);
            if (nnz > 0) ((ArrayView<double>)_values!.View).SubView(0, nnz).CopyFromCPU(Host.Values.AsSpan(0, nnz));
        }
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
