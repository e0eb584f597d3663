using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ssor": builds <see cref="Ssor"/> with the configured relaxation factor.</summary>
public sealed class SsorFactory : IPreconditionerFactory
{
    /// <param name="options">ω; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SsorFactory(SsorOptions? options = null)
    {
        Options = options ?? new SsorOptions();
        Options.Validate();
    }

    public SsorOptions Options { get; }
    public string Name => "ssor";
    public DeviceSupport Devices => DeviceSupport.AllDevices; // A's triangles as a factor, level-scheduled triangular solves on the device
    public bool Supports(Device device) => Devices.Includes(device);

    /// <summary>True for symmetric A, which CG needs anyway; for nonsymmetric A the product reports false.</summary>
    public bool IsSymmetric => true;

    public bool IsLinear => true;

    /// <summary>False: SSOR has no UpdateValues; new values mean a new product.</summary>
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public Ssor Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "SSOR", nameof(a));
        return new Ssor(a.Host, Options.Omega, a.Device, Options.Precision);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
