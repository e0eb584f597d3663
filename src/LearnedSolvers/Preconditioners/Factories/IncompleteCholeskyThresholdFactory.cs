using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ict": builds <see cref="IncompleteCholeskyThreshold"/> with the configured drop tolerance, fill and diagonal shift, or the first of a growing sequence of shifts that succeeds.</summary>
public sealed class IncompleteCholeskyThresholdFactory : IPreconditionerFactory
{
    /// <param name="options">τ, p and the shift; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public IncompleteCholeskyThresholdFactory(IctOptions? options = null)
    {
        Options = options ?? new IctOptions();
        Options.Validate();
    }

    /// <summary>The drop tolerance, fill and shift.</summary>
    public IctOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "ict";

    /// <inheritdoc/>
    public DeviceSupport Devices => DeviceSupport.AllDevices; // factorization on the host, level-scheduled triangular solves on the device

    /// <inheritdoc/>
    public bool Supports(Device device) => Devices.Includes(device);

    /// <inheritdoc/>
    public bool IsSymmetric => true;

    /// <inheritdoc/>
    public bool IsLinear => true;

    /// <summary>False: new values change the factor's pattern, so a new matrix needs a new factorization.</summary>
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public IncompleteCholeskyThreshold Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "ICT", nameof(a));
        return Options.GrowShift
            ? IncompleteCholeskyThreshold.WithGrowingShift(a.Host, Options.DropTolerance, Options.Fill, a.Device, Options.DiagonalShift, Options.MaxShift, Options.Precision)
            : new IncompleteCholeskyThreshold(a.Host, Options.DropTolerance, Options.Fill, Options.DiagonalShift, a.Device, Options.Precision);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
