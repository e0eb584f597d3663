using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ilut": builds <see cref="IncompleteLuThreshold"/> with the configured drop tolerance and fill.</summary>
public sealed class IncompleteLuThresholdFactory : IPreconditionerFactory
{
    /// <param name="options">τ and p (the pivot tolerance is not read); the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public IncompleteLuThresholdFactory(IlutOptions? options = null)
    {
        Options = options ?? new IlutOptions();
        Options.Validate();
    }

    /// <summary>The drop tolerance and fill.</summary>
    public IlutOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "ilut";

    /// <inheritdoc/>
    public DeviceSupport Devices => DeviceSupport.AllDevices; // factorization on the host, level-scheduled triangular solves on the device

    /// <inheritdoc/>
    public bool Supports(Device device) => Devices.Includes(device);

    /// <inheritdoc/>
    public bool IsSymmetric => false;

    /// <inheritdoc/>
    public bool IsLinear => true;

    /// <summary>False: new values change the factor's pattern, so a new matrix needs a new factorization.</summary>
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public IncompleteLuThreshold Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "ILUT", nameof(a));
        return new IncompleteLuThreshold(a.Host, Options.DropTolerance, Options.Fill, a.Device, Options.Precision);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
