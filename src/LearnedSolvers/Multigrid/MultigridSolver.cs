using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Multigrid as a standalone solver: x ← x + cycle(b − Ax) until the residual meets the tolerance. Stops with
/// <see cref="StopReason.Stagnation"/> when three cycles in a row fail to reduce the residual. Its history gives the
/// measured convergence factor (‖r_k‖/‖r_0‖)^(1/k).
/// </summary>
public sealed class MultigridSolver : KrylovSolver
{
    private readonly MultigridHierarchy _hierarchy;
    private readonly DeviceVector _residual, _correction;

    public MultigridSolver(MultigridHierarchy hierarchy, SolverOptions? options = null)
        : base(hierarchy?.FinestOperator ?? throw new ArgumentNullException(nameof(hierarchy)), null, options)
    {
        _hierarchy = hierarchy;
        _residual = AllocateVector();
        _correction = AllocateVector();
    }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        if (StartResidual(b, x, _residual, out double norm) is { } stop) return stop;
        int idle = 0;
        while (!Monitor.IsConverged(norm))
        {
            if (Monitor.IterationsLeft <= 0) return StopReason.MaxIterations;
            _hierarchy.Cycle(_residual, _correction);
            Device.Axpy(1, _correction, x);
            Residual(b, x, _residual);
            double next = Device.Norm2(_residual);
            Monitor.Record(next);
            if (!double.IsFinite(next)) return StopReason.NaNOrInfinity;
            idle = next >= norm ? idle + 1 : 0;
            if (idle == 3)
            {
                StopDetail = "three multigrid cycles in a row did not reduce the residual";
                return StopReason.Stagnation;
            }
            norm = next;
        }
        return StopReason.ConvergedRelative;
    }
}
