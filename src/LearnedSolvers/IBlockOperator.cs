using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// An operator that applies itself to a block of k columns at once (Y = Op X), reading its own data once for all of
/// them: a sparse matrix streams its values and indices once instead of k times. X and Y are column-major blocks of the
/// same column count whose columns hold at least the operator's columns (X) or rows (Y): [k, n] (<see cref="Shape.Block"/>),
/// or longer columns with a leading dimension (<see cref="Shape.PaddedBlock"/>), of which only the first n entries are
/// read or written.
/// </summary>
public interface IBlockOperator : ILinearOperator
{
    /// <summary>Y = Op X, column by column; X and Y must not overlap.</summary>
    void Apply(DeviceBuffer<double> x, DeviceBuffer<double> y);

    /// <summary>
    /// Y = Op X and <paramref name="xty"/>[j] = X[:, j]ᵀ Y[:, j] (square operators): what CG needs after its products,
    /// fused where the backend can, summed in the order the single-vector fused product uses.
    /// </summary>
    void ApplyAndDot(DeviceBuffer<double> x, DeviceBuffer<double> y, Span<double> xty);
}
