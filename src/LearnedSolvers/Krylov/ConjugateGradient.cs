using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Conjugate gradients (Hestenes and Stiefel 1952), preconditioned when a preconditioner is given (PCG,
/// Saad, Iterative Methods, Alg. 9.1). A and M must be symmetric positive definite; a non-positive pᵀAp or rᵀz
/// stops the solve with <see cref="StopReason.IndefiniteMatrix"/> or <see cref="StopReason.IndefinitePreconditioner"/>.
/// Per iteration: one product fused with pᵀAp (<see cref="IFusedApplyDot"/> where the operator has it), one fused
/// update of x and r with ‖r‖², one direction update.
/// <para>
/// On a device that prefers device scalars the scalars stay there and the host reads them every
/// <see cref="ConjugateDirections.CheckEvery"/> iterations (<see cref="ConjugateDirections"/> describes that loop and what
/// it reports); a diagonal-scaling preconditioner such as Jacobi is then fused into the update kernel.
/// </para>
/// </summary>
public sealed class ConjugateGradient : ConjugateDirections
{
    /// <param name="a">The SPD operator.</param>
    /// <param name="preconditioner">A symmetric linear preconditioner, or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="scalars">Where the iteration keeps its scalars; <see cref="ScalarPlacement.Auto"/> follows the device.</param>
    /// <param name="checkEvery">Iterations between host reads with device scalars (≥ 1); <see cref="ConjugateDirections.DefaultCheckEvery"/> when 0.</param>
    public ConjugateGradient(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null,
        ScalarPlacement scalars = ScalarPlacement.Auto, int checkEvery = 0)
        : base(a, CheckSymmetricLinear(preconditioner), options, scalars, checkEvery)
    {
    }

    protected override StopReason? NextDirection(double pq, double rNorm, ref double rz)
    {
        double rzNext = rNorm * rNorm;
        if (Preconditioner is not null)
        {
            Preconditioner.Apply(R, Z);
            rzNext = Device.Dot(R, Z);
            if (!double.IsFinite(rzNext)) return StopReason.NaNOrInfinity;
            if (rzNext <= 0) return StopReason.IndefinitePreconditioner;
        }
        Device.Axpby(1, Z, rzNext / rz, P);
        rz = rzNext;
        return null;
    }

    /// <summary>With no preconditioner or a fused diagonal scaling, the update kernel leaves z and zᵀr, and the product can form p.</summary>
    protected override IFusedDirectionApplyDot? FusedDirection =>
        Preconditioner is null || FusedScaling is not null ? Operator as IFusedDirectionApplyDot : null;

    protected override void NextDirectionOnDevice(DeviceScalars scalars, int previous, int current)
    {
        if (Preconditioner is not null && FusedScaling is null)
        {
            Preconditioner.Apply(R, Z);
            Device.DotTo(R, Z, scalars, current + RZ);
        }
        Kernels.CgDirection(scalars, current + RZ, previous + RZ, Z, P);
    }

    private static IPreconditioner? CheckSymmetricLinear(IPreconditioner? preconditioner) =>
        preconditioner is { IsSymmetric: false } or { IsLinear: false }
            ? throw new ArgumentException("CG needs a symmetric linear preconditioner; use FlexibleConjugateGradient or GMRES with this one.", nameof(preconditioner))
            : preconditioner;
}
