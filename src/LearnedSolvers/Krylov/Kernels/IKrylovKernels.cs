using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Krylov.Kernels;

/// <summary>
/// The fused steps of the conjugate-direction methods and BiCGStab: vector updates fused with the reductions that
/// follow them, and, for iterations that keep their scalars on the device, step lengths formed from
/// <see cref="DeviceScalars"/> by the kernels themselves. A kernel family (<see cref="Family"/>) beside the solvers that
/// use it, so the devices know no algorithm. Every reduction is deterministic on each device.
/// </summary>
public interface IKrylovKernels
{
    /// <summary>The family: look a device's implementation up once with <c>device.Kernels(IKrylovKernels.Family)</c>.</summary>
    static KernelFamily<IKrylovKernels> Family { get; } =
        new("Krylov fused steps", device => new CpuKrylovKernels(device), device => new IlgpuKrylovKernels(device),
            device => new DistributedKrylovKernels(device));

    /// <summary>x ← x + αp, r ← r − αq in one pass; returns ‖r‖² of the new r.</summary>
    double UpdateWithNorm(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r);

    /// <summary>
    /// One CG step with its scalars on the device: α = s[rzSlot] / s[pqSlot] (0 when that is not a positive finite
    /// quotient, so a broken-down iteration leaves x and r alone); x ← x + αp; r ← r − αq; then, with a diagonal scaling
    /// d, z ← d ∘ r; s[outSlot] ← rᵀz (rᵀr without one) and s[outSlot + 1] ← rᵀr.
    /// </summary>
    void CgStep(DeviceScalars s, int rzSlot, int pqSlot, int outSlot,
        DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r, DeviceVector? z, DeviceVector? scaling);

    /// <summary>
    /// β = factor · s[newSlot] / s[oldSlot] (0 unless finite); p ← z + βp. CG: factor 1, rᵀz over the previous rᵀz;
    /// flexible CG: factor −1, zᵀAp over pᵀAp.
    /// </summary>
    void CgDirection(DeviceScalars s, int newSlot, int oldSlot, DeviceVector z, DeviceVector p, double factor = 1);

    /// <summary>y ← y − (s[numeratorSlot] / s[denominatorSlot]) x (the factor 0 unless finite); s[normSlot] ← ‖y‖².</summary>
    void ScaledAxpyWithNorm(DeviceScalars s, int numeratorSlot, int denominatorSlot, DeviceVector x, DeviceVector y, int normSlot);

    /// <summary>
    /// BiCGStab's direction with device scalars: p ← r on the first step, else p ← r + β(p − ωv) with
    /// β = s[rho]·s[tt] / (s[rHatV]·s[ts]) (= ρ_new/ρ_old · α/ω) and ω = s[ts] / s[tt], each 0 unless finite.
    /// </summary>
    void BiCgStabDirection(DeviceScalars s, int rhoSlot, int rHatVSlot, int tsSlot, int ttSlot, bool first,
        DeviceVector r, DeviceVector v, DeviceVector p);

    /// <summary>
    /// BiCGStab's update with device scalars: α = s[rhoOld] / s[rHatV], ω = s[ts] / s[tt] (each 0 unless finite);
    /// x ← x + α p̂ + ω ŝ; r ← r − ω t (r holds s on entry; ŝ may be r); s[outSlot] ← r̂ᵀr, s[outSlot + 1] ← rᵀr.
    /// </summary>
    void BiCgStabUpdate(DeviceScalars s, int rhoOldSlot, int rHatVSlot, int tsSlot, int ttSlot, int outSlot,
        DeviceVector pHat, DeviceVector sHat, DeviceVector t, DeviceVector x, DeviceVector r, DeviceVector rHat);
}
