using LearnedSolvers.Devices;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// One multigrid cycle from a zero initial guess as a preconditioner z = M⁻¹ r. Linear; symmetric for V and W
/// cycles with equal pre- and post-sweeps (so PCG may use it); an F-cycle needs FCG or GMRES. Disposing it disposes
/// the hierarchy (idempotent, so a hierarchy also disposed by its builder's caller is fine); a finest operator the
/// hierarchy was given (built from a <see cref="DeviceCsrMatrix"/>) stays with its owner.
/// </summary>
public sealed class MultigridPreconditioner(MultigridHierarchy hierarchy) : IPreconditioner, IDisposable
{
    public MultigridHierarchy Hierarchy { get; } = hierarchy ?? throw new ArgumentNullException(nameof(hierarchy));
    public int Rows => Hierarchy.FinestOperator.Rows;
    public int Columns => Rows;
    public Device Device => Hierarchy.Device;
    public bool IsLinear => true;
    public bool IsSymmetric => Hierarchy.IsSymmetric;

    public void Apply(DeviceVector x, DeviceVector y) => Hierarchy.Cycle(x, y);

    public void Dispose() => Hierarchy.Dispose();
}
