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
public sealed class Gmres : KrylovSolver
{
    /// <summary>A cycle that reduces the residual by less than this relative amount counts as no progress.</summary>
    internal const double StagnationFactor = 1 - 1e-12;

    internal const string CycleStagnated = "a full restart cycle did not reduce the residual: increase the restart length or use a stronger preconditioner";

    private readonly ArnoldiProcess _arnoldi;
    private readonly DeviceVector? _u;

    /// <param name="a">The square operator A.</param>
    /// <param name="preconditioner">The right preconditioner M ≈ A⁻¹: linear (IsLinear), or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="restart">
    /// Steps per cycle (m ≥ 1). Capped at the system size, where full GMRES already terminates; each step keeps one
    /// more device vector.
    /// </param>
    public Gmres(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int restart = 30)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(restart, 1);
        if (preconditioner is { IsLinear: false })
            throw new ArgumentException("GMRES needs a linear preconditioner (x = x₀ + M V y); this one is not linear: use FlexibleGmres.", nameof(preconditioner));
        _arnoldi = new ArnoldiProcess(Device, Size, Math.Max(1, Math.Min(restart, Size)));
        _u = preconditioner is null ? null : Device.Allocate(Size);
    }

    /// <summary>Steps per cycle actually used (the requested restart, capped at the system size).</summary>
    public int Restart => _arnoldi.Restart;

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        var v = _arnoldi.Basis;
        if (StartResidual(b, x, v[0], out double beta) is { } start) return start;

        while (true)
        {
            _arnoldi.Start(beta);
            int k = 0;
            StopReason? stop = null;
            for (int j = 0; j < _arnoldi.Restart && Monitor.IterationsLeft > 0; j++)
            {
                if (_u is null)
                {
                    Operator.Apply(v[j], v[j + 1]);
                }
                else
                {
                    Preconditioner!.Apply(v[j], _u);
                    Operator.Apply(_u, v[j + 1]);
                }
                var outcome = _arnoldi.Step(j, out double estimate);
                if (outcome == ArnoldiOutcome.NaNOrInfinity) return StopReason.NaNOrInfinity;
                Monitor.Record(estimate);
                if (outcome == ArnoldiOutcome.SingularBreakdown)
                {
                    stop = StopReason.Breakdown;
                    break;
                }
                k = j + 1;
                if (outcome == ArnoldiOutcome.HappyBreakdown || Monitor.IsConverged(estimate))
                {
                    stop = StopReason.ConvergedRelative;
                    break;
                }
            }

            UpdateSolution(k, x);
            if (stop is { } reason) return reason;
            if (Monitor.IterationsLeft <= 0) return StopReason.MaxIterations;

            Residual(b, x, v[0]);
            double next = Device.Norm2(v[0]);
            if (AfterRestart(next, beta) is { } restartStop) return restartStop;
            beta = next;
        }
    }

    /// <summary>x ← x + M V_k y_k. v_k is free once the cycle ends, so it holds M V y.</summary>
    private void UpdateSolution(int k, DeviceVector x)
    {
        if (k == 0) return;
        var v = _arnoldi.Basis;
        var y = _arnoldi.Solve(k);
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
}
