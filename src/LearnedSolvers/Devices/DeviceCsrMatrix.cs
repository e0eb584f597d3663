using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>A CSR matrix uploaded once to a device and applied there as an operator (y = A x).</summary>
public abstract class DeviceCsrMatrix : ILinearOperator, IDisposable
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

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
