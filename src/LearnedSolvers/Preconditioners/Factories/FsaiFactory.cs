using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"fsai": builds <see cref="FactorizedSparseInverse"/> (M = Gᵀ G ≈ A⁻¹) on the lower pattern of A^power.</summary>
public sealed class FsaiFactory : IPreconditionerFactory
{
    /// <param name="options">The pattern's power; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public FsaiFactory(FsaiOptions? options = null)
    {
        Options = options ?? new FsaiOptions();
        Options.Validate();
    }

    public FsaiOptions Options { get; }
    public string Name => "fsai";
    public DeviceSupport Devices => DeviceSupport.AllDevices; // setup on the host, two SpMVs on the device
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => true;
    public bool IsLinear => true;
    public bool IsRefreshable => true;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public FactorizedSparseInverse Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "FSAI", nameof(a));
        return new FactorizedSparseInverse(a.Host, Options.Power, a.Device);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
