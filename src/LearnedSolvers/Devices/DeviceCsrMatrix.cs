using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>A CSR matrix uploaded once to a device and applied there as an operator (y = A x).</summary>
public abstract class DeviceCsrMatrix : IFusedApplyDot, IResidualOperator, IDisposable
{
    protected DeviceCsrMatrix(Device device, CsrMatrix host)
    {
        Device = device;
        Host = host;
    }

    /// <summary>The host matrix this was uploaded from.</summary>
    public CsrMatrix Host { get; }
    public int Rows => Host.Rows;
    public int Columns => Host.Columns;
    public Device Device { get; }

    public abstract void Apply(DeviceVector x, DeviceVector y);

    /// <summary>y = A x and returns xᵀy: the two reads CG needs after its SpMV, in one pass (square A only).</summary>
    public abstract double ApplyAndDot(DeviceVector x, DeviceVector y);

    /// <summary>y = A x and s[slot] ← xᵀy, the dot left on the device (square A only).</summary>
    public abstract void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot);

    /// <summary>
    /// r = b − A x in one pass where the device can fuse it (square A only). <paramref name="b"/> may be
    /// <paramref name="r"/> itself (r ← r − A x); <paramref name="x"/> must not alias <paramref name="r"/>.
    /// </summary>
    public virtual void Residual(DeviceVector b, DeviceVector x, DeviceVector r)
    {
        if (ReferenceEquals(b, r))
        {
            // Unfused r ← r − A x needs A x apart: one scratch vector, allocated on first use and kept.
            _scratch ??= Device.Allocate(Rows);
            Apply(x, _scratch);
            Device.Axpy(-1, _scratch, r);
            return;
        }
        Apply(x, r);
        Device.Axpby(1, b, -1, r);
    }

    private DeviceVector? _scratch;

    /// <summary>Checks x and y of y = A x: on this device, of the matrix's sizes, and not the same vector.</summary>
    protected void CheckSpmv(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Columns, nameof(x));
        Device.Check(y, Rows, nameof(y));
        if (ReferenceEquals(x, y)) throw new ArgumentException("SpMV cannot write its result over its input (x and y are the same vector).", nameof(y));
    }

    public virtual void Dispose()
    {
        _scratch?.Dispose();
        GC.SuppressFinalize(this);
    }
}
