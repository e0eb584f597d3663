using LearnedSolvers.Devices;
using LearnedSolvers.Multigrid;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// "gmg", "amg", "rsamg": one multigrid cycle as a <see cref="MultigridPreconditioner"/>, the hierarchy built by
/// <see cref="GeometricMultigrid"/>, <see cref="SmoothedAggregationAmg"/> or <see cref="ClassicalAmg"/> (made by
/// <see cref="PreconditionerFactories.Gmg"/>, <see cref="PreconditionerFactories.Amg"/>, <see cref="PreconditionerFactories.RsAmg"/>).
/// Setup on the CPU; the cycle runs on the matrix's device, and the finest level multiplies by the given matrix itself
/// (no second copy of A).
/// </summary>
public sealed class MultigridFactory : IPreconditionerFactory
{
    private readonly string _builder;
    private readonly Func<DeviceCsrMatrix, MultigridOptions, MultigridHierarchy> _build;

    /// <param name="name">The registry name.</param>
    /// <param name="builder">The hierarchy builder's name, for error messages.</param>
    /// <param name="build">Builds the hierarchy on the uploaded matrix.</param>
    /// <param name="options">Cycle, smoother and coarsening.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    internal MultigridFactory(string name, string builder, Func<DeviceCsrMatrix, MultigridOptions, MultigridHierarchy> build, MultigridOptions options)
    {
        options.Validate();
        Name = name;
        _builder = builder;
        _build = build;
        Options = options;
    }

    public MultigridOptions Options { get; }
    public string Name { get; }
    public DeviceSupport Devices => Options.Devices;
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => Options.IsSymmetricCycle;
    public bool IsLinear => true;
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public MultigridPreconditioner Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, _builder, nameof(a));
        return new MultigridPreconditioner(_build(a, Options));
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
