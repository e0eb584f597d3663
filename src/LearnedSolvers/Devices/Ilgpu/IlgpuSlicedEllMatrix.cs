using ILGPU;
using ILGPU.Runtime;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A matrix on an ILGPU device in sliced ELL form (<see cref="SlicedEllLayout"/>, slice height = warp size): fully
/// coalesced loads for matrices whose rows have similar lengths (stencils), at the price of the padding. Offered next
/// to CSR for measurement (<c>learnedsolvers bench gpu</c> compares both); <see cref="IlgpuDevice.Upload(CsrMatrix)"/>
/// still gives CSR. Square matrices only.
/// </summary>
public sealed class IlgpuSlicedEllMatrix : IlgpuMatrix
{
    private readonly Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> _apply;
    private readonly Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> _applyWithDot;
    private MemoryBuffer1D<int, Stride1D.Dense>? _sliceStarts, _columns;
    private MemoryBuffer1D<double, Stride1D.Dense>? _values;

    internal IlgpuSlicedEllMatrix(IlgpuDevice device, CsrMatrix host, int sliceHeight) : base(device, host)
    {
        if (!host.IsSquare) throw new ArgumentException($"The sliced ELL matrix is for square matrices; this one is {host.Rows} x {host.Columns}.", nameof(host));
        var layout = SlicedEllLayout.Build(host, sliceHeight);
        SliceHeight = sliceHeight;
        PaddingRatio = layout.PaddingRatio;
        (_apply, _applyWithDot) = device.SlicedEllKernels;
        try
        {
            _sliceStarts = device.AllocateBuffer<int>(layout.SliceStarts.Length);
            _columns = device.AllocateBuffer<int>(Math.Max(1, layout.Columns.Length));
            _values = device.AllocateBuffer<double>(Math.Max(1, layout.Values.Length));
            using (device.Lock())
            {
                ((ArrayView<int>)_sliceStarts.View).CopyFromCPU(layout.SliceStarts);
                if (layout.Values.Length > 0)
                {
                    ((ArrayView<int>)_columns.View).SubView(0, layout.Columns.Length).CopyFromCPU(layout.Columns);
                    ((ArrayView<double>)_values.View).SubView(0, layout.Values.Length).CopyFromCPU(layout.Values);
                }
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public int SliceHeight { get; }

    /// <summary>Stored entries over the matrix's entries (1 = no padding).</summary>
    public double PaddingRatio { get; }

    private protected override bool IsReleased => _values is null;

    private protected override void Launch(IlgpuVector x, IlgpuVector y) =>
        _apply(Rows, _sliceStarts!.View, _columns!.View, _values!.View, x.View, y.View, SliceHeight);

    private protected override void LaunchWithDot(IlgpuVector x, IlgpuVector y, ArrayView<double> result)
    {
        int groups = Accelerated.ReductionGroups(Rows);
        _applyWithDot(new KernelConfig(groups, Accelerated.GroupSize), _sliceStarts!.View, _columns!.View, _values!.View, x.View, y.View, SliceHeight, Accelerated.PartialsView, Accelerated.ArrivalsView, result);
    }

    private protected override void LaunchDirectionWithDot(IlgpuVector z, IlgpuVector p, IlgpuVector pNext, IlgpuVector q,
        ArrayView<double> scalars, int numerator, int denominator, ArrayView<double> result)
    {
        var kernel = Accelerated.LoadOnDemand(static accelerator => accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>,
            ArrayView<double>, int, int, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int,
            ArrayView<double>, ArrayView<int>, ArrayView<double>>(SpmvKernels.SlicedEllDirectionWithDot));
        kernel(new KernelConfig(Accelerated.ReductionGroups(Rows), Accelerated.GroupSize), _sliceStarts!.View, _columns!.View, _values!.View,
            scalars, numerator, denominator, z.View, p.View, pNext.View, q.View, SliceHeight, Accelerated.PartialsView, Accelerated.ArrivalsView, result);
    }

    /// <summary>Rebuilds the padded layout on the host (the padding follows the pattern, so it lands in the same places) and copies its values.</summary>
    public override void UpdateValues()
    {
        ObjectDisposedException.ThrowIf(IsReleased, this);
        var layout = SlicedEllLayout.Build(Host, SliceHeight);
        using (Accelerated.Lock())
        {
            ObjectDisposedException.ThrowIf(IsReleased, this);
            if (layout.Values.Length > 0) ((ArrayView<double>)_values!.View).SubView(0, layout.Values.Length).CopyFromCPU(layout.Values);
        }
    }

    /// <summary>Frees the device copy at once (idempotent).</summary>
    public override void Dispose()
    {
        Interlocked.Exchange(ref _sliceStarts, null)?.Dispose();
        Interlocked.Exchange(ref _columns, null)?.Dispose();
        Interlocked.Exchange(ref _values, null)?.Dispose();
        base.Dispose();
    }
}
