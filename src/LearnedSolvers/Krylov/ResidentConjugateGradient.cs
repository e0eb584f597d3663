using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Krylov;

/// <summary>
/// CG and PCG whose scalars never leave the device during the iteration: α, β, pᵀAp, rᵀz and ‖r‖² are computed and
/// consumed by device kernels (<see cref="Device.CgStep"/>, <see cref="Device.CgDirection"/>,
/// <see cref="DeviceCsrMatrix.ApplyAndDotTo"/>), and the host reads them only every <see cref="ResidentConjugateDirections.CheckEvery"/>
/// iterations, in one copy. Per iteration on a GPU: the SpMV fused with pᵀAp, the x/r update fused with the Jacobi
/// scaling and both reductions, and the direction update, with no host synchronization.
/// <para>
/// The result reports the exact iteration at which ‖r‖ first met the tolerance (the history is read back whole), and
/// the true residual of the returned x. x comes from the last iteration run, up to <see cref="ResidentConjugateDirections.CheckEvery"/> − 1
/// iterations past that point, so it is at least as accurate. A broken-down step (pᵀAp ≤ 0, rᵀz ≤ 0, NaN) is reported
/// for the iteration where it happened; the kernels take α = 0 on it, x is what the last iteration of the window left,
/// and the result's residual is that x's true one. (The window loop is <see cref="ResidentConjugateDirections"/>.)
/// </para>
/// <para>
/// Preconditioners: Jacobi is fused into the update kernel; any other symmetric linear one is applied between the
/// kernels (its own synchronization, if any, is its own). A and M must be SPD, as for <see cref="ConjugateGradient"/>.
/// </para>
/// </summary>
public sealed class ResidentConjugateGradient : ResidentConjugateDirections
{
    /// <param name="a">The SPD matrix on its device.</param>
    /// <param name="preconditioner">Null, <see cref="Jacobi"/> (fused), or another symmetric linear preconditioner.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="checkEvery">Iterations between host reads of the residual norms (≥ 1); <see cref="ResidentConjugateDirections.DefaultCheckEvery"/> when 0.</param>
    public ResidentConjugateGradient(DeviceCsrMatrix a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int checkEvery = 0)
        : base(a, CheckSymmetricLinear(preconditioner), options, checkEvery)
    {
    }

    protected override void Direction(int previous, int current)
    {
        if (Preconditioner is not null && InverseDiagonal is null)
        {
            Preconditioner.Apply(R, Z);
            Device.DotTo(R, Z, Scalars, current + RZ);
        }
        Device.CgDirection(Scalars, current + RZ, previous + RZ, Z, P);
    }

    private static IPreconditioner? CheckSymmetricLinear(IPreconditioner? preconditioner) =>
        preconditioner is { IsSymmetric: false } or { IsLinear: false }
            ? throw new ArgumentException("CG needs a symmetric linear preconditioner; use FlexibleConjugateGradient or GMRES with this one.", nameof(preconditioner))
            : preconditioner;
}
