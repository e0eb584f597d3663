using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Flexible GMRES, FGMRES(m) (Saad 1993, "A flexible inner-outer preconditioned GMRES algorithm"; Iterative
/// Methods, Alg. 9.6). Like right-preconditioned <see cref="Gmres"/>, but it keeps the preconditioned directions
/// z_j = M_j v_j and sets x = x₀ + Z y, so the preconditioner may change from one step to the next: a learned
/// operator, an inner Krylov solve, a multigrid cycle with a varying number of smoothing steps. The price is m
/// more device vectors. With a fixed linear M it produces the same iterates as right-preconditioned GMRES.
/// Stopping rules (tolerance, happy breakdown, stagnation of a full cycle, singular breakdown, NaN) are those of
/// <see cref="Gmres"/>; the residual monitored is the true, unpreconditioned one.
/// </summary>
public sealed class FlexibleGmres : KrylovSolver
{
    private readonly ArnoldiProcess _arnoldi;
    private readonly DeviceVector[] _directions;

    /// <param name="a">The square operator A.</param>
    /// <param name="preconditioner">The right preconditioner M ≈ A⁻¹: may vary between applications, or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="restart">Steps per cycle (m ≥ 1), capped at the system size; each step keeps two device vectors.</param>
    public FlexibleGmres(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int restart = 30)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(restart, 1);
        _arnoldi = new ArnoldiProcess(Device, Size, Math.Max(1, Math.Min(restart, Size)));
        if (preconditioner is null)
        {
            _directions = _arnoldi.Basis; // Z = V: plain GMRES
        }
        else
        {
            _directions = new DeviceVector[_arnoldi.Restart];
            for (int i = 0; i < _directions.Length; i++) _directions[i] = Device.Allocate(Size);
        }
    }

    /// <summary>Steps per cycle actually used (the requested restart, capped at the system size).</summary>
    public int Restart => _arnoldi.Restart;

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        var v = _arnoldi.Basis;
        var z = _directions;
        if (StartResidual(b, x, v[0], out double beta) is { } start) return start;

        while (true)
        {
            _arnoldi.Start(beta);
            int k = 0;
            StopReason? stop = null;
            for (int j = 0; j < _arnoldi.Restart && Monitor.IterationsLeft > 0; j++)
            {
                if (Preconditioner is not null) Preconditioner.Apply(v[j], z[j]);
                Operator.Apply(z[j], v[j + 1]);
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

            if (k > 0) Device.MultiAxpyAdd(z, k, _arnoldi.Solve(k), x);
            if (stop is { } reason) return reason;
            if (Monitor.IterationsLeft <= 0) return StopReason.MaxIterations;

            Residual(b, x, v[0]);
            double next = Device.Norm2(v[0]);
            if (AfterRestart(next, beta) is { } restartStop) return restartStop;
            beta = next;
        }
    }
}
