using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// "chebyshev": builds <see cref="ChebyshevPreconditioner"/> on the given matrix, sharing it (no second copy of A), on
/// one device or across ranks on a distributed matrix.
/// </summary>
public sealed class ChebyshevFactory : IDistributedPreconditionerFactory
{
    /// <param name="options">Degree and interval; the defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ChebyshevFactory(ChebyshevOptions? options = null)
    {
        Options = options ?? new ChebyshevOptions();
        Options.Validate();
    }

    public ChebyshevOptions Options { get; }
    public string Name => "chebyshev";
    public DeviceSupport Devices => DeviceSupport.AllDevices;
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => true;
    public bool IsLinear => true;
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public ChebyshevPreconditioner Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "Chebyshev", nameof(a));
        return new ChebyshevPreconditioner(a, Options.Degree, Options.LowerFraction);
    }

    /// <inheritdoc cref="IDistributedPreconditionerFactory.Create"/>
    public ChebyshevPreconditioner Create(DistributedCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new ChebyshevPreconditioner(a, Options.Degree, Options.LowerFraction);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);

    IPreconditioner? IDistributedPreconditionerFactory.Create(DistributedCsrMatrix a) => Create(a);
}
