using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ic0": builds <see cref="IncompleteCholesky0"/> with the configured diagonal shift, or the first of a growing sequence that succeeds.</summary>
public sealed class IncompleteCholesky0Factory : IPreconditionerFactory
{
    /// <param name="options">The diagonal shift; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public IncompleteCholesky0Factory(IncompleteCholesky0Options? options = null)
    {
        Options = options ?? new IncompleteCholesky0Options();
        Options.Validate();
    }

    public IncompleteCholesky0Options Options { get; }
    public string Name => "ic0";
    public DeviceSupport Devices => DeviceSupport.AllDevices; // factorization on the host, level-scheduled triangular solves on the device
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => true;
    public bool IsLinear => true;
    public bool IsRefreshable => true;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public IncompleteCholesky0 Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "IC(0)", nameof(a));
        return Options.GrowShift
            ? IncompleteCholesky0.WithGrowingShift(a.Host, a.Device, Options.DiagonalShift, Options.MaxShift, Options.Precision)
            : new IncompleteCholesky0(a.Host, Options.DiagonalShift, a.Device, Options.Precision);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
