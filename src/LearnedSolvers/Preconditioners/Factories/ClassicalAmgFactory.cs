using LearnedSolvers.Devices;
using LearnedSolvers.Multigrid;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// "rsamg": one classical (Ruge–Stüben) AMG cycle, robust for discontinuous high-contrast coefficients, as a <see cref="MultigridPreconditioner"/>. Setup on the CPU; the cycle runs on the matrix's
/// device, and the finest level multiplies by the given matrix itself (no second copy of A).
/// </summary>
public sealed class ClassicalAmgFactory : IPreconditionerFactory
{
    /// <param name="options">Cycle, smoother and coarsening; <see cref="ClassicalAmg.DefaultOptions"/> (θ = 0.25) when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public ClassicalAmgFactory(MultigridOptions? options = null)
    {
        Options = options ?? ClassicalAmg.DefaultOptions;
        Options.Validate();
    }

    public MultigridOptions Options { get; }
    public string Name => "rsamg";
    public DeviceSupport Devices => Options.Devices;
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => Options.IsSymmetricCycle;
    public bool IsLinear => true;
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public MultigridPreconditioner Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "ClassicalAmg", nameof(a));
        return new MultigridPreconditioner(ClassicalAmg.Build(a, Options));
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
