using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"jacobi": builds <see cref="Jacobi"/> (z = D⁻¹ r) on the matrix's device, or across ranks on a distributed matrix. No options.</summary>
public sealed class JacobiFactory : IDistributedPreconditionerFactory
{
    public string Name => "jacobi";
    public DeviceSupport Devices => DeviceSupport.AllDevices;
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => true;
    public bool IsLinear => true;
    public bool IsRefreshable => true;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public Jacobi Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, nameof(Jacobi), nameof(a));
        return new Jacobi(a.Host, a.Device);
    }

    /// <inheritdoc cref="IDistributedPreconditionerFactory.Create"/>
    public Jacobi Create(DistributedCsrMatrix a) => new(a ?? throw new ArgumentNullException(nameof(a)));

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);

    IPreconditioner? IDistributedPreconditionerFactory.Create(DistributedCsrMatrix a) => Create(a);
}
