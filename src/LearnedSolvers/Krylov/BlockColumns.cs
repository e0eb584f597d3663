using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// What the solvers for several right-hand sides do per column alike: start a column on its residual, view a block's
/// columns, and turn a column's stop into its <see cref="SolveResult"/> on the true residual.
/// </summary>
internal static class BlockColumns
{
    /// <summary>Checks the arguments of a CG solver for several columns: a square operator, k ≥ 1, a symmetric linear preconditioner on its device.</summary>
    public static void CheckCg(IBlockOperator a, int columns, IPreconditioner? preconditioner)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if (a.Rows != a.Columns) throw new ArgumentException($"The operator is {a.Rows} x {a.Columns}; CG needs a square one.", nameof(a));
        if (preconditioner is null) return;
        if (preconditioner.Rows != a.Rows || !ReferenceEquals(preconditioner.Device, a.Device))
            throw new ArgumentException($"The preconditioner is {preconditioner.Rows} x {preconditioner.Columns} on '{preconditioner.Device.Name}'; the operator is {a.Rows} x {a.Columns} on '{a.Device.Name}'.", nameof(preconditioner));
        if (!preconditioner.IsSymmetric || !preconditioner.IsLinear)
            throw new ArgumentException("CG needs a symmetric linear preconditioner; use FlexibleConjugateGradient or GMRES with this one.", nameof(preconditioner));
    }

    /// <summary>
    /// Starts a column on its residual r = b − A x: records ‖r‖ and returns why the column stops at once, if it does (b = 0
    /// gives x = 0, converged; non-finite b or r; r within the tolerance; no iterations allowed). Returns ‖r‖ in
    /// <paramref name="residualNorm"/>.
    /// </summary>
    public static StopReason? Start(Device device, ConvergenceMonitor monitor, SolverOptions options, DeviceVector b, DeviceVector x, DeviceVector r,
        out double residualNorm)
    {
        double bNorm = device.Norm2(b);
        monitor.Start(options, bNorm);
        residualNorm = 0;
        if (!double.IsFinite(bNorm)) return StopReason.NaNOrInfinity;
        if (bNorm == 0)
        {
            device.Fill(x, 0);
            device.Fill(r, 0);
            monitor.RecordInitial(0);
            return StopReason.ConvergedRelative;
        }
        residualNorm = device.Norm2(r);
        monitor.RecordInitial(residualNorm);
        if (!double.IsFinite(residualNorm)) return StopReason.NaNOrInfinity;
        if (monitor.IsConverged(residualNorm)) return StopReason.ConvergedRelative;
        if (monitor.IterationsLeft <= 0) return StopReason.MaxIterations;
        return null;
    }

    /// <summary>
    /// The column's result from its stop and the true residual norm of its returned x: a converged recursive residual
    /// whose true residual misses the tolerance is reported as stagnation.
    /// </summary>
    public static SolveResult Finish(ConvergenceMonitor monitor, SolverOptions options, StopReason? stopped, double trueNorm, TimeSpan elapsed,
        string message = "")
    {
        var reason = stopped ?? StopReason.MaxIterations;
        double bNorm = monitor.RhsNorm;
        if (!double.IsFinite(trueNorm)) reason = StopReason.NaNOrInfinity;
        else if (reason.IsConverged())
        {
            if (bNorm == 0) return new SolveResult(true, StopReason.ConvergedRelative, 0, 0, monitor.HistorySnapshot(), elapsed);
            if (!monitor.IsConverged(trueNorm))
            {
                reason = StopReason.Stagnation;
                message = "the recursive residual met the tolerance but the true residual did not";
            }
            else if (trueNorm > options.RelativeTolerance * bNorm) reason = StopReason.ConvergedAbsolute;
        }
        else if (reason == StopReason.Diverged) message = $"the residual grew past {options.DivergenceTolerance:G3} times its initial norm";
        return new SolveResult(reason.IsConverged(), reason, monitor.Iterations, bNorm == 0 ? 0 : trueNorm / bNorm, monitor.HistorySnapshot(), elapsed, message);
    }

    /// <summary>Views of a block's columns, each <paramref name="rows"/> long.</summary>
    public static DeviceVector[] Of(DeviceBuffer<double> block, int rows)
    {
        var columns = new DeviceVector[block.Shape[0]];
        for (int j = 0; j < columns.Length; j++) columns[j] = block.Column(j, rows);
        return columns;
    }
}
