using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Flexible conjugate gradients (Notay 2000, "Flexible conjugate gradients", SIAM J. Sci. Comput. 22(4)),
/// truncated to one previous direction, FCG(1): the preconditioner may change from one iteration to the next
/// (learned operators, inner iterations, AMG cycles with varying work) or be nonlinear.
/// <para>
/// Each new direction is A-orthogonalized against the previous one only:
/// p_{k+1} = z_{k+1} − (z_{k+1}ᵀ A p_k / p_kᵀ A p_k) p_k, with α_k = z_kᵀ r_k / p_kᵀ A p_k. Because r_{k+1} − r_k = −α_k A p_k,
/// this β equals the Polak–Ribière form z_{k+1}ᵀ(r_{k+1} − r_k) / z_kᵀ r_k, which, unlike Fletcher–Reeves
/// (ordinary PCG's β), stays robust when M varies (Golub and Ye 1999); it needs no copy of r_k. For a fixed SPD M,
/// FCG(1) is PCG in exact arithmetic. Per iteration: one SpMV fused with pᵀAp, one fused update of x and r with ‖r‖²,
/// one preconditioner application, both projections of z (zᵀr and zᵀAp) in one <see cref="Device.MultiDot"/> pass,
/// and one direction update.
/// </para>
/// <para>
/// On a device that prefers device scalars they stay there (<see cref="ConjugateDirections"/>): α from the update
/// kernel, zᵀAp and zᵀr from one <see cref="Device.MultiDotTo"/> pass, and p ← z − (zᵀAp / pᵀAp) p from
/// <see cref="IKrylovKernels.CgDirection"/> with factor −1. The preconditioner may still vary (it runs between the kernels; a
/// diagonal scaling such as Jacobi is fused into the update).
/// </para>
/// <para>
/// A must be symmetric positive definite and each application of M must satisfy zᵀr &gt; 0; otherwise the solve stops
/// with <see cref="StopReason.IndefiniteMatrix"/> or <see cref="StopReason.IndefinitePreconditioner"/>.
/// </para>
/// </summary>
public sealed class FlexibleConjugateGradient : ConjugateDirections
{
    private readonly DeviceVector[] _residualAndProduct;
    private readonly DeviceVector[] _productAndResidual; // [Ap, r]: one MultiDotTo writes zᵀAp and zᵀr into adjacent slots ZQ, RZ
    private readonly double[] _projections = new double[2];

    /// <param name="a">The SPD operator.</param>
    /// <param name="preconditioner">Any preconditioner, possibly variable or nonlinear, or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="scalars">Where the iteration keeps its scalars; <see cref="ScalarPlacement.Auto"/> follows the device.</param>
    /// <param name="checkEvery">Iterations between host reads with device scalars (≥ 1); <see cref="ConjugateDirections.DefaultCheckEvery"/> when 0.</param>
    public FlexibleConjugateGradient(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null,
        ScalarPlacement scalars = ScalarPlacement.Auto, int checkEvery = 0)
        : base(a, preconditioner, options, scalars, checkEvery)
    {
        _residualAndProduct = [R, Q];
        _productAndResidual = [Q, R];
    }

    protected override StopReason? NextDirection(double pq, double rNorm, ref double rz)
    {
        if (Preconditioner is not null) Preconditioner.Apply(R, Z);
        Device.MultiDot(_residualAndProduct, 2, Z, _projections);
        double rzNext = _projections[0], zq = _projections[1];
        if (!double.IsFinite(rzNext) || !double.IsFinite(zq)) return StopReason.NaNOrInfinity;
        if (rzNext <= 0) return StopReason.IndefinitePreconditioner;
        Device.Axpby(1, Z, -zq / pq, P);
        rz = rzNext;
        return null;
    }

    protected override void NextDirectionOnDevice(DeviceScalars scalars, int previous, int current)
    {
        if (Preconditioner is not null && FusedScaling is null) Preconditioner.Apply(R, Z);
        Device.MultiDotTo(_productAndResidual, 2, Z, scalars, current + ZQ);
        Kernels.CgDirection(scalars, current + ZQ, current + PQ, Z, P, factor: -1);
    }
}
