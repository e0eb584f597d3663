using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// An operator that can return xᵀ(A x) from the same pass that writes y = A x: the two reads conjugate-direction
/// methods need after their product, without a second sweep over x and y. Solvers test for this capability, never for
/// a concrete class; a wrapper forwards it so that it does not cost the wrapped operator its fused path.
/// </summary>
public interface IFusedApplyDot : ILinearOperator
{
    /// <summary>y = A x and returns xᵀy (square operators only; x and y must not alias).</summary>
    double ApplyAndDot(DeviceVector x, DeviceVector y);

    /// <summary>y = A x and s[slot] ← xᵀy, the dot left on the device (square operators only; x and y must not alias).</summary>
    void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot);
}
