using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// An operator that is exactly the diagonal scaling y = d ∘ x (Jacobi's z = D⁻¹ r). A solver may fuse the scaling into
/// its own kernels instead of calling <see cref="ILinearOperator.Apply"/>, so implement this only when Apply computes
/// nothing but that product.
/// </summary>
public interface IDiagonalScaling : ILinearOperator
{
    /// <summary>d, on <see cref="ILinearOperator.Device"/>, of length <see cref="ILinearOperator.Rows"/>; read-only to callers.</summary>
    DeviceVector Scaling { get; }
}
