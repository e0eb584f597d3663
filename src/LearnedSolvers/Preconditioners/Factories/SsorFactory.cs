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
    public DeviceSupport Devices => DeviceSupport.CpuOnly; // serial Gauss–Seidel sweeps over host arrays
    public bool Supports(Device device) => Devices.Includes(device);

    /// <summary>True for symmetric A, which CG needs anyway; for nonsymmetric A the product reports false.</summary>
    public bool IsSymmetric => true;

    public bool IsLinear => true;

    /// <summary>False: the sweeps read A's own arrays, so new values mean a new matrix object and a new product.</summary>
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public Ssor Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "SSOR", nameof(a));
        return new Ssor(a.Host, Options.Omega);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
