using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// "none": no preconditioning. <see cref="Create(DeviceCsrMatrix)"/> returns null rather than an identity operator, because every
/// solver takes a null preconditioner as M = I and then skips the z = M r copy and runs its unpreconditioned form.
/// </summary>
public sealed class NoPreconditionerFactory : IDistributedPreconditionerFactory
{
    public string Name => "none";
    public DeviceSupport Devices => DeviceSupport.AllDevices;
    public bool Supports(Device device) => Devices.Includes(device);

    /// <summary>M = I is symmetric.</summary>
    public bool IsSymmetric => true;

    /// <summary>M = I is linear.</summary>
    public bool IsLinear => true;

    /// <summary>False: there is no product to refresh.</summary>
    public bool IsRefreshable => false;

    /// <summary>Null (no preconditioner), after checking <paramref name="a"/>.</summary>
    public IPreconditioner? Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return null;
    }

    /// <summary>Null (no preconditioner), after checking <paramref name="a"/>.</summary>
    public IPreconditioner? Create(DistributedCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return null;
    }
}
