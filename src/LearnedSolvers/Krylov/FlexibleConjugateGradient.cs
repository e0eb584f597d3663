using LearnedSolvers.Devices;

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
/// A must be symmetric positive definite and each application of M must satisfy zᵀr &gt; 0; otherwise the solve stops
/// with <see cref="StopReason.IndefiniteMatrix"/> or <see cref="StopReason.IndefinitePreconditioner"/>.
/// </para>
/// </summary>
public sealed class FlexibleConjugateGradient : KrylovSolver
{
    private readonly DeviceVector _r, _z, _p, _q;
    private readonly DeviceVector[] _residualAndProduct;
    private readonly double[] _projections = new double[2];

    public FlexibleConjugateGradient(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null)
        : base(a, preconditioner, options)
    {
        _r = Device.Allocate(Size);
        _z = preconditioner is null ? _r : Device.Allocate(Size);
        _p = Device.Allocate(Size);
        _q = Device.Allocate(Size);
        _residualAndProduct = [_r, _q];
    }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        if (StartConjugateDirections(b, x, _r, _z, _p, out double rz) is { } stop) return stop;

        while (Monitor.IterationsLeft > 0)
        {
            double pq = Operator is DeviceCsrMatrix m ? m.ApplyAndDot(_p, _q) : ApplyThenDot(_p, _q);
            if (!double.IsFinite(pq)) return StopReason.NaNOrInfinity;
            if (pq <= 0) return StopReason.IndefiniteMatrix;
            double alpha = rz / pq;
            double rNorm = Math.Sqrt(Device.CgUpdate(alpha, _p, _q, x, _r));
            Monitor.Record(rNorm);
            if (!double.IsFinite(rNorm)) return StopReason.NaNOrInfinity;
            if (Monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;

            if (Preconditioner is not null) Preconditioner.Apply(_r, _z);
            Device.MultiDot(_residualAndProduct, 2, _z, _projections);
            double rzNext = _projections[0], zq = _projections[1];
            if (!double.IsFinite(rzNext) || !double.IsFinite(zq)) return StopReason.NaNOrInfinity;
            if (rzNext <= 0) return StopReason.IndefinitePreconditioner;
            Device.Axpby(1, _z, -zq / pq, _p);
            rz = rzNext;
        }
        return StopReason.MaxIterations;
    }

    private double ApplyThenDot(DeviceVector p, DeviceVector q)
    {
        Operator.Apply(p, q);
        return Device.Dot(p, q);
    }
}
