using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ilutp": builds <see cref="IncompleteLuThresholdPivoting"/> with the configured drop tolerance, fill and pivot tolerance.</summary>
public sealed class IncompleteLuThresholdPivotingFactory : IPreconditionerFactory
{
    /// <param name="options">τ, p and t; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public IncompleteLuThresholdPivotingFactory(IlutOptions? options = null)
    {
        Options = options ?? new IlutOptions();
        Options.Validate();
    }

    /// <summary>The drop tolerance, fill and pivot tolerance.</summary>
    public IlutOptions Options { get; }

    /// <inheritdoc/>
    public string Name => "ilutp";

    /// <inheritdoc/>
    public DeviceSupport Devices => DeviceSupport.AllDevices; // factorization on the host; triangular solves and the permutation's SpMV on the device

    /// <inheritdoc/>
    public bool Supports(Device device) => Devices.Includes(device);

    /// <inheritdoc/>
    public bool IsSymmetric => false;

    /// <inheritdoc/>
    public bool IsLinear => true;

    /// <summary>False: new values change the factor's pattern and the permutation, so a new matrix needs a new factorization.</summary>
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public IncompleteLuThresholdPivoting Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "ILUTP", nameof(a));
        return new IncompleteLuThresholdPivoting(a.Host, Options.DropTolerance, Options.Fill, Options.PivotTolerance, a.Device, Options.Precision);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
