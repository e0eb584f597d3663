using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Conjugate gradients (Hestenes and Stiefel 1952), preconditioned when a preconditioner is given (PCG,
/// Saad, Iterative Methods, Alg. 9.1). A and M must be symmetric positive definite; a non-positive pᵀAp or rᵀz
/// stops the solve with <see cref="StopReason.IndefiniteMatrix"/> or <see cref="StopReason.IndefinitePreconditioner"/>.
/// Per iteration: one SpMV fused with pᵀAp, one fused update of x and r with ‖r‖², one direction update.
/// </summary>
public sealed class ConjugateGradient : KrylovSolver
{
    private readonly DeviceVector _r, _z, _p, _q;

    public ConjugateGradient(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null)
        : base(a, preconditioner, options)
    {
        if (preconditioner is { IsSymmetric: false })
            throw new ArgumentException("CG needs a symmetric preconditioner; use FlexibleConjugateGradient or GMRES with this one.", nameof(preconditioner));
        _r = Device.Allocate(Size);
        _z = preconditioner is null ? _r : Device.Allocate(Size);
        _p = Device.Allocate(Size);
        _q = Device.Allocate(Size);
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

            double rzNext = rNorm * rNorm;
            if (Preconditioner is not null)
            {
                Preconditioner.Apply(_r, _z);
                rzNext = Device.Dot(_r, _z);
                if (!double.IsFinite(rzNext)) return StopReason.NaNOrInfinity;
                if (rzNext <= 0) return StopReason.IndefinitePreconditioner;
            }
            Device.Axpby(1, _z, rzNext / rz, _p);
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
