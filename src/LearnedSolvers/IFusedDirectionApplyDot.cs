using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// An operator that forms CG's next direction inside its product: p' = z + βp, q = A p' and p'ᵀq in one pass, with
/// β = s[numerator] / s[denominator] read on the device (0 unless finite). Each row recomputes z + βp for the entries
/// it reads, so the direction costs no launch and no pass of its own; the arithmetic is the same as forming p' first,
/// so the iterates are too. Solvers test for this capability; a wrapper forwards it.
/// </summary>
public interface IFusedDirectionApplyDot : IFusedApplyDot
{
    /// <summary>
    /// pNext = z + βp, q = A pNext and s[dotSlot] ← pNextᵀq (square operators only). pNext must be a vector of its own:
    /// neither p, z nor q (rows read p while others write pNext).
    /// </summary>
    void DirectionApplyAndDotTo(DeviceVector z, DeviceVector p, DeviceVector pNext, DeviceVector q,
        DeviceScalars s, int numeratorSlot, int denominatorSlot, int dotSlot);
}
