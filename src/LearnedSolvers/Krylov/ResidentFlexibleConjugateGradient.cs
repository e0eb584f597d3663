using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Flexible CG, FCG(1) as in <see cref="FlexibleConjugateGradient"/>, with its scalars on the device: pᵀAp comes
/// from the SpMV (<see cref="DeviceCsrMatrix.ApplyAndDotTo"/>), α from <see cref="Device.CgStep"/>, zᵀAp and zᵀr from
/// one <see cref="Device.MultiDotTo"/> pass, and the direction p ← z − (zᵀAp / pᵀAp) p from
/// <see cref="Device.CgDirection"/> with factor −1; the host reads them only every <see cref="ResidentConjugateDirections.CheckEvery"/> iterations.
/// <para>
/// The preconditioner may vary or be nonlinear (it is applied between the kernels; Jacobi is fused into the update).
/// Reporting as <see cref="ResidentConjugateGradient"/>: the exact iteration at which ‖r‖ met the tolerance, and a
/// broken-down step (pᵀAp ≤ 0, zᵀr ≤ 0, NaN) reported for the iteration where it happened. The kernels take α = 0 on
/// such a step; x is what the last iteration of the window left, and the result's residual is that x's true one.
/// </para>
/// </summary>
public sealed class ResidentFlexibleConjugateGradient : ResidentConjugateDirections
{
    private readonly DeviceVector[] _productAndResidual; // [Ap, r]: one MultiDotTo writes zᵀAp and zᵀr into adjacent slots ZQ, RZ

    /// <param name="a">The SPD matrix on its device.</param>
    /// <param name="preconditioner">Null, <see cref="Jacobi"/> (fused), or any other, possibly variable or nonlinear, preconditioner.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="checkEvery">Iterations between host reads (≥ 1); <see cref="ResidentConjugateDirections.DefaultCheckEvery"/> when 0.</param>
    public ResidentFlexibleConjugateGradient(DeviceCsrMatrix a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int checkEvery = 0)
        : base(a, preconditioner, options, checkEvery)
    {
        _productAndResidual = [Q, R];
    }

    protected override void Direction(int previous, int current)
    {
        if (Preconditioner is not null && InverseDiagonal is null) Preconditioner.Apply(R, Z);
        Device.MultiDotTo(_productAndResidual, 2, Z, Scalars, current + ZQ);
        Device.CgDirection(Scalars, current + ZQ, current + PQ, Z, P, factor: -1);
    }
}
