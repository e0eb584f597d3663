using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;

namespace LearnedSolvers.Sequences;

/// <summary>
/// Wraps an operator and counts its applications: the matrix–vector products a sequence's targets are stated in.
/// It forwards the fused capabilities (<see cref="IFusedApplyDot"/>, <see cref="IFusedDirectionApplyDot"/>,
/// <see cref="IResidualOperator"/>, <see cref="IBlockOperator"/>) so that a counted matrix keeps its fused, block and device-resident paths in the
/// solvers; each fused call counts as one application, a block of k columns as k. When the inner operator lacks a
/// capability, the wrapper computes the same result from <see cref="ILinearOperator.Apply"/> and the device's vector
/// kernels, exactly what a solver would do without it (column by column for a block).
/// </summary>
public sealed class CountingOperator : IFusedDirectionApplyDot, IResidualOperator, IInterleavedBlockOperator, IDisposable
{
    private DeviceVector? _scratch;

    /// <param name="inner">The operator whose applications are counted.</param>
    public CountingOperator(ILinearOperator inner)
    {
        Inner = inner ?? throw new ArgumentNullException(nameof(inner));
    }

    public ILinearOperator Inner { get; }
    public int Rows => Inner.Rows;
    public int Columns => Inner.Columns;
    public Device Device => Inner.Device;

    /// <summary>Applications since construction or the last <see cref="Reset"/>, fused ones included.</summary>
    public long Count { get; private set; }

    /// <summary>True when the inner operator fuses y = A x with xᵀy itself (else the wrapper applies, then dots).</summary>
    public bool HasFusedApplyDot => Inner is IFusedApplyDot;

    /// <summary>True when the inner operator forms CG's next direction inside its product itself.</summary>
    public bool HasFusedDirection => Inner is IFusedDirectionApplyDot;

    /// <summary>True when the inner operator forms r = b − A x in one pass itself.</summary>
    public bool HasFusedResidual => Inner is IResidualOperator;

    /// <summary>True when the inner operator applies itself to a block of columns at once.</summary>
    public bool HasBlockApply => Inner is IBlockOperator;

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Count++;
        Inner.Apply(x, y);
    }

    public double ApplyAndDot(DeviceVector x, DeviceVector y)
    {
        Count++;
        if (Inner is IFusedApplyDot fused) return fused.ApplyAndDot(x, y);
        Inner.Apply(x, y);
        return Device.Dot(x, y);
    }

    public void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        Count++;
        if (Inner is IFusedApplyDot fused)
        {
            fused.ApplyAndDotTo(x, y, s, slot);
            return;
        }
        Inner.Apply(x, y);
        Device.DotTo(x, y, s, slot);
    }

    public void DirectionApplyAndDotTo(DeviceVector z, DeviceVector p, DeviceVector pNext, DeviceVector q,
        DeviceScalars s, int numeratorSlot, int denominatorSlot, int dotSlot)
    {
        if (Inner is IFusedDirectionApplyDot fused)
        {
            Count++;
            fused.DirectionApplyAndDotTo(z, p, pNext, q, s, numeratorSlot, denominatorSlot, dotSlot);
            return;
        }
        Device.Copy(p, pNext);
        Device.Kernels(IKrylovKernels.Family).CgDirection(s, numeratorSlot, denominatorSlot, z, pNext);
        ApplyAndDotTo(pNext, q, s, dotSlot);
    }

    public void Residual(DeviceVector b, DeviceVector x, DeviceVector r)
    {
        Count++;
        if (Inner is IResidualOperator fused)
        {
            fused.Residual(b, x, r);
            return;
        }
        if (ReferenceEquals(b, r))
        {
            // r ← r − A x needs A x apart: one scratch vector, allocated on first use and kept.
            _scratch ??= Device.Allocate(Rows);
            Inner.Apply(x, _scratch);
            Device.Axpy(-1, _scratch, r);
            return;
        }
        Inner.Apply(x, r);
        Device.Axpby(1, b, -1, r);
    }

    public void Apply(DeviceBuffer<double> x, DeviceBuffer<double> y)
    {
        int k = BlockWidth(x, y);
        Count += k;
        if (Inner is IBlockOperator block)
        {
            block.Apply(x, y);
            return;
        }
        for (int j = 0; j < k; j++) Inner.Apply(x.Column(j), y.Column(j));
    }

    public void ApplyAndDot(DeviceBuffer<double> x, DeviceBuffer<double> y, Span<double> xty)
    {
        int k = BlockWidth(x, y);
        if (xty.Length < k) throw new ArgumentException($"Room for {xty.Length} dots; the blocks have {k} columns.", nameof(xty));
        Count += k;
        if (Inner is IBlockOperator block)
        {
            block.ApplyAndDot(x, y, xty);
            return;
        }
        for (int j = 0; j < k; j++)
        {
            DeviceVector xj = x.Column(j), yj = y.Column(j);
            if (Inner is IFusedApplyDot fused)
            {
                xty[j] = fused.ApplyAndDot(xj, yj);
                continue;
            }
            Inner.Apply(xj, yj);
            xty[j] = Device.Dot(xj, yj);
        }
    }

    bool IInterleavedBlockOperator.SupportsInterleaved => Inner is IInterleavedBlockOperator { SupportsInterleaved: true };

    void IInterleavedBlockOperator.ApplyInterleaved(DeviceBuffer<double> x, DeviceBuffer<double> y, int columns, Span<double> gram)
    {
        if (Inner is not IInterleavedBlockOperator { SupportsInterleaved: true } inner)
            throw new NotSupportedException("The counted operator does not multiply interleaved blocks.");
        Count += columns;
        inner.ApplyInterleaved(x, y, columns, gram);
    }

    public void Reset() => Count = 0;

    /// <summary>The column count of two blocks [k, n] of this operator's size, checked.</summary>
    private int BlockWidth(DeviceBuffer<double> x, DeviceBuffer<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Shape.Rank != 2 || x.Shape[1] != Columns)
            throw new ArgumentException($"x must be a block [k, {Columns}]; its shape is {x.Shape}.", nameof(x));
        if (y.Shape.Rank != 2 || y.Shape[1] != Rows || y.Shape[0] != x.Shape[0])
            throw new ArgumentException($"y must be a block [{x.Shape[0]}, {Rows}]; its shape is {y.Shape}.", nameof(y));
        return x.Shape[0];
    }

    /// <summary>Releases the wrapper's scratch vector; the inner operator belongs to the caller.</summary>
    public void Dispose()
    {
        _scratch?.Dispose();
        _scratch = null;
    }
}
