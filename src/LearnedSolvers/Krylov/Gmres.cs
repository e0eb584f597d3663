using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Restarted GMRES(m) (Saad and Schultz 1986), right-preconditioned (Saad, Iterative Methods, Alg. 9.5): it
/// minimizes ‖b − A M y‖ over the Krylov space of A M and sets x = x₀ + M V y, so the residual it monitors is the
/// true, unpreconditioned one. Arnoldi by CGS2 on the device, Givens rotations on the host (<see cref="ArnoldiProcess"/>).
/// <para>
/// Stops: the estimate |g_{j+1}| meets the tolerance, or h_{j+1,j} ≈ 0 (happy breakdown: the minimizer is exact; the
/// base class confirms on the true residual); <see cref="StopReason.Stagnation"/> when a full cycle leaves the true
/// residual at ≥ (1 − 10⁻¹²) times its value at the cycle's start (restarted GMRES then repeats the same cycle forever,
/// e.g. GMRES(m &lt; n) on a cyclic permutation); <see cref="StopReason.Breakdown"/> when A M is singular on the
/// Krylov space; NaN or infinity anywhere.
/// </para>
/// <para>
/// The history holds one entry per inner iteration (the estimate); the true residual computed at each restart is not
/// recorded, so the history keeps Iterations + 1 entries. The preconditioner must be linear: a variable one breaks
/// x = x₀ + M V y, and needs <see cref="FlexibleGmres"/>.
/// </para>
/// </summary>
public sealed class Gmres : RestartedArnoldiSolver
{
    private readonly DeviceVector? _u;

    /// <param name="a">The square operator A.</param>
    /// <param name="preconditioner">The right preconditioner M ≈ A⁻¹: linear (IsLinear), or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="restart">
    /// Steps per cycle (m ≥ 1). Capped at the system size, where full GMRES already terminates; each step keeps one
    /// more device vector.
    /// </param>
    public Gmres(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int restart = 30)
        : base(a, CheckLinear(preconditioner), options, restart)
    {
        _u = preconditioner is null ? null : AllocateVector();
    }

    protected override void ApplyStep(int j)
    {
        var v = Basis;
        if (_u is null)
        {
            Operator.Apply(v[j], v[j + 1]);
            return;
        }
        Preconditioner!.Apply(v[j], _u);
        Operator.Apply(_u, v[j + 1]);
    }

    /// <summary>x ← x + M V_k y_k. v_k is free once the cycle ends, so it holds M V y.</summary>
    protected override void UpdateSolution(int k, ReadOnlySpan<double> y, DeviceVector x)
    {
        var v = Basis;
        if (_u is null)
        {
            Device.MultiAxpyAdd(v, k, y, x);
            return;
        }
        Device.Fill(_u, 0);
        Device.MultiAxpyAdd(v, k, y, _u);
        Preconditioner!.Apply(_u, v[k]);
        Device.Axpy(1, v[k], x);
    }

    private static IPreconditioner? CheckLinear(IPreconditioner? preconditioner) =>
        preconditioner is { IsLinear: false }
            ? throw new ArgumentException("GMRES needs a linear preconditioner (x = x₀ + M V y); this one is not linear: use FlexibleGmres.", nameof(preconditioner))
            : preconditioner;
}
