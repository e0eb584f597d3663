using LearnedSolvers.Devices;
using LearnedSolvers.Multigrid;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// "amg": one smoothed-aggregation AMG cycle, as a <see cref="MultigridPreconditioner"/>. Setup on the CPU; the cycle runs on the matrix's
/// device, and the finest level multiplies by the given matrix itself (no second copy of A).
/// </summary>
public sealed class SmoothedAggregationAmgFactory : IPreconditionerFactory
{
    /// <param name="options">Cycle, smoother and coarsening; the shared defaults when null.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public SmoothedAggregationAmgFactory(MultigridOptions? options = null)
    {
        Options = options ?? new MultigridOptions();
        Options.Validate();
    }

    public MultigridOptions Options { get; }
    public string Name => "amg";
    public DeviceSupport Devices => Options.Devices;
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => Options.IsSymmetricCycle;
    public bool IsLinear => true;
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public MultigridPreconditioner Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "SmoothedAggregationAmg", nameof(a));
        return new MultigridPreconditioner(SmoothedAggregationAmg.Build(a, Options));
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
