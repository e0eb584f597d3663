using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// The restarted cycle that GMRES and flexible GMRES share: r₀ into v_0, up to m Arnoldi steps
/// (<see cref="ArnoldiProcess"/>) each recorded on the monitor, the least-squares update of x, and the restart from the
/// true residual with the stagnation test. A subclass supplies only w = A M v_j (<see cref="ApplyStep"/>) and the
/// solution update from the first k basis vectors (<see cref="UpdateSolution"/>).
/// </summary>
public abstract class RestartedArnoldiSolver : KrylovSolver
{
    /// <param name="a">The square operator A.</param>
    /// <param name="preconditioner">The right preconditioner, or null.</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="restart">Steps per cycle (m ≥ 1), capped at the system size, where full GMRES already terminates.</param>
    protected RestartedArnoldiSolver(ILinearOperator a, IPreconditioner? preconditioner, SolverOptions? options, int restart)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(restart, 1);
        Arnoldi = Own(new ArnoldiProcess(Device, Size, Math.Max(1, Math.Min(restart, Size))));
    }

    /// <summary>Steps per cycle actually used (the requested restart, capped at the system size).</summary>
    public int Restart => Arnoldi.Restart;

    internal ArnoldiProcess Arnoldi { get; }

    /// <summary>v_0 … v_m.</summary>
    protected DeviceVector[] Basis => Arnoldi.Basis;

    /// <summary>Writes w = A M v_j into v_{j+1} (step <paramref name="j"/> of a cycle).</summary>
    protected abstract void ApplyStep(int j);

    /// <summary>x ← x + (the correction from the first <paramref name="k"/> ≥ 1 directions with coefficients <paramref name="y"/>).</summary>
    protected abstract void UpdateSolution(int k, ReadOnlySpan<double> y, DeviceVector x);

    protected sealed override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        var v = Arnoldi.Basis;
        if (StartResidual(b, x, v[0], out double beta) is { } start) return start;

        while (true)
        {
            Arnoldi.Start(beta);
            int k = 0;
            StopReason? stop = null;
            for (int j = 0; j < Arnoldi.Restart && Monitor.IterationsLeft > 0; j++)
            {
                ApplyStep(j);
                var outcome = Arnoldi.Step(j, out double estimate);
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

            if (k > 0) UpdateSolution(k, Arnoldi.Solve(k), x);
            if (stop is { } reason) return reason;
            if (Monitor.IterationsLeft <= 0) return StopReason.MaxIterations;

            Residual(b, x, v[0]);
            double next = Device.Norm2(v[0]);
            if (AfterRestart(next, beta) is { } restartStop) return restartStop;
            beta = next;
        }
    }
}
