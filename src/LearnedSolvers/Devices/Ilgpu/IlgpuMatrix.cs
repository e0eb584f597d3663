using ILGPU;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A square or rectangular matrix in accelerator memory, in one of the formats this device offers (<see cref="IlgpuCsrMatrix"/>,
/// <see cref="IlgpuSlicedEllMatrix"/>). What the formats share lives here: argument checks, the device's lock, and
/// y = A x fused with xᵀy whose result goes to the host or stays in device scalars; a format supplies its two kernels.
/// </summary>
public abstract class IlgpuMatrix : DeviceCsrMatrix, IFusedDirectionApplyDot
{
    private protected IlgpuMatrix(IlgpuDevice device, CsrMatrix host) : base(device, host) => Accelerated = device;

    /// <summary>The device, typed (the base class's <see cref="DeviceCsrMatrix.Device"/> is its abstraction).</summary>
    private protected IlgpuDevice Accelerated { get; }

    /// <summary>True once the device copy has been freed.</summary>
    private protected abstract bool IsReleased { get; }

    /// <summary>y = A x on the device; called under the device's lock with Rows &gt; 0.</summary>
    private protected abstract void Launch(IlgpuVector x, IlgpuVector y);

    /// <summary>y = A x and result[0] ← xᵀy on the device (deterministic: the grid depends on the row count only); called under the device's lock.</summary>
    private protected abstract void LaunchWithDot(IlgpuVector x, IlgpuVector y, ArrayView<double> result);

    /// <summary>
    /// pNext = z + βp, q = A pNext and result[0] ← pNextᵀq with β = scalars[numerator] / scalars[denominator]; called
    /// under the device's lock with Rows &gt; 0.
    /// </summary>
    private protected abstract void LaunchDirectionWithDot(IlgpuVector z, IlgpuVector p, IlgpuVector pNext, IlgpuVector q,
        ArrayView<double> scalars, int numerator, int denominator, ArrayView<double> result);

    public void DirectionApplyAndDotTo(DeviceVector z, DeviceVector p, DeviceVector pNext, DeviceVector q,
        DeviceScalars s, int numeratorSlot, int denominatorSlot, int dotSlot)
    {
        RequireSquare(nameof(DirectionApplyAndDotTo));
        var (ps, qs) = Check(p, q);
        var (zs, next) = Check(z, pNext);
        if (ReferenceEquals(pNext, p) || ReferenceEquals(pNext, z) || ReferenceEquals(pNext, q))
            throw new ArgumentException("pNext must be a vector of its own, not p, z or q.", nameof(pNext));
        var all = Accelerated.ScalarsView(s, 0, s.Count);
        Accelerated.ScalarsView(s, numeratorSlot, 1);
        Accelerated.ScalarsView(s, denominatorSlot, 1);
        var result = Accelerated.ScalarsView(s, dotSlot, 1);
        if (Rows == 0) return;
        using (Accelerated.Lock()) LaunchDirectionWithDot(zs, ps, next, qs, all, numeratorSlot, denominatorSlot, result);
    }

    public sealed override void Apply(DeviceVector x, DeviceVector y)
    {
        var (xs, ys) = Check(x, y);
        if (Rows == 0) return;
        using (Accelerated.Lock()) Launch(xs, ys);
    }

    /// <summary>y = A x fused with xᵀy: each row's x_i y_i is summed while y_i is in a register (no second pass over x and y).</summary>
    public sealed override double ApplyAndDot(DeviceVector x, DeviceVector y)
    {
        RequireSquare(nameof(ApplyAndDot));
        var (xs, ys) = Check(x, y);
        if (Rows == 0) return 0;
        using (Accelerated.Lock())
        {
            LaunchWithDot(xs, ys, Accelerated.ResultView);
            return Accelerated.ReadResult();
        }
    }

    public sealed override void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        RequireSquare(nameof(ApplyAndDotTo));
        var (xs, ys) = Check(x, y);
        var view = Accelerated.ScalarsView(s, slot, 1);
        using (Accelerated.Lock()) LaunchWithDot(xs, ys, view);
    }

    private void RequireSquare(string operation)
    {
        if (!Host.IsSquare) throw new InvalidOperationException($"{operation} needs a square matrix; this one is {Rows} x {Columns}.");
    }

    private (IlgpuVector X, IlgpuVector Y) Check(DeviceVector x, DeviceVector y)
    {
        CheckSpmv(x, y);
        ObjectDisposedException.ThrowIf(IsReleased, this);
        return ((IlgpuVector)x, (IlgpuVector)y);
    }
}
