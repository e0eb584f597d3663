using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// BiCGStab (van der Vorst 1992, "Bi-CGSTAB: a fast and smoothly converging variant of Bi-CG for the solution of
/// nonsymmetric linear systems", SIAM J. Sci. Stat. Comput. 13(2)), right-preconditioned: it solves A M y = b with
/// x = M y, carrying x itself, so the residual it updates and monitors is the true, unpreconditioned b − A x
/// (Saad, Iterative Methods, Alg. 7.7 with A replaced by A M). The shadow residual is r̂ = r₀.
/// <para>
/// One iteration is one full step with two SpMVs and two preconditioner applications. The half-step residual
/// s = r − αv is checked first: when it meets the tolerance the solve ends after x += α M p (one SpMV saved).
/// Per iteration: r̂ᵀv with ‖v‖², tᵀs with ‖t‖², and r̂ᵀr with ‖r‖² each come from one <see cref="Device.MultiDot"/>
/// pass, and x += α M p + ω M s is one <see cref="Device.MultiAxpyAdd"/> pass.
/// </para>
/// <para>
/// <see cref="StopReason.Breakdown"/> when ρ = r̂ᵀr, r̂ᵀv or ω (tᵀs) vanishes: |value| ≤ ε² times the product of the
/// two vectors' norms (ε = 2⁻⁵², machine epsilon), i.e. a cosine far below what rounding of a nonzero value leaves.
/// Such a zero is structural (e.g. a permutation matrix, or sᵀAs = 0), and BiCGStab cannot divide by it.
/// After an ω breakdown x keeps the half step x + α M p, whose residual is s.
/// </para>
/// <para>
/// Since x is updated with the very vectors M p and M s that entered the SpMVs, x and r stay consistent even when M
/// varies between applications (the flexible BiCGStab of Vogel 2007), so a nonlinear preconditioner is accepted;
/// the bi-orthogonality behind BiCGStab's convergence is then lost, and <see cref="FlexibleGmres"/> is the safer choice.
/// </para>
/// </summary>
public sealed class BiCgStab : KrylovSolver
{
    private const double MachineEpsilon = 2.220446049250313e-16;
    private const double BreakdownTolerance = MachineEpsilon * MachineEpsilon;

    private readonly DeviceVector _r, _rHat, _p, _v, _t, _pHat, _sHat;
    private readonly DeviceVector[] _shadowAndV, _tAndS, _shadowAndR, _updateDirections;
    private readonly double[] _projections = new double[2];
    private readonly double[] _stepLengths = new double[2];

    public BiCgStab(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null)
        : base(a, preconditioner, options)
    {
        _r = Device.Allocate(Size);
        _rHat = Device.Allocate(Size);
        _p = Device.Allocate(Size);
        _v = Device.Allocate(Size);
        _t = Device.Allocate(Size);
        _pHat = preconditioner is null ? _p : Device.Allocate(Size);
        // s = r − αv is only needed until r = s − ωt, so it lives in r; ŝ = M s needs its own vector.
        _sHat = preconditioner is null ? _r : Device.Allocate(Size);
        _shadowAndV = [_rHat, _v];
        _tAndS = [_t, _r];
        _shadowAndR = [_rHat, _r];
        _updateDirections = [_pHat, _sHat];
    }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        if (StartResidual(b, x, _r, out double rNorm) is { } stop) return stop;

        Device.Copy(_r, _rHat);
        double rHatNorm = rNorm;
        double rho = rNorm * rNorm, rhoPrevious = 0, alpha = 0, omega = 0;
        bool first = true;

        while (Monitor.IterationsLeft > 0)
        {
            if (Math.Abs(rho) <= BreakdownTolerance * rHatNorm * rNorm) return StopReason.Breakdown;
            if (first)
            {
                Device.Copy(_r, _p);
            }
            else
            {
                double beta = rho / rhoPrevious * (alpha / omega);
                Device.Axpy(-omega, _v, _p);
                Device.Axpby(1, _r, beta, _p);
            }
            first = false;

            if (Preconditioner is not null) Preconditioner.Apply(_p, _pHat);
            Operator.Apply(_pHat, _v);
            Device.MultiDot(_shadowAndV, 2, _v, _projections);
            double rHatV = _projections[0], vNorm = Math.Sqrt(_projections[1]);
            if (!double.IsFinite(rHatV) || !double.IsFinite(vNorm)) return StopReason.NaNOrInfinity;
            if (Math.Abs(rHatV) <= BreakdownTolerance * rHatNorm * vNorm) return StopReason.Breakdown;
            alpha = rho / rHatV;

            Device.Axpy(-alpha, _v, _r); // r now holds s
            double sNorm = Device.Norm2(_r);
            if (!double.IsFinite(sNorm)) return StopReason.NaNOrInfinity;
            if (Monitor.IsConverged(sNorm))
            {
                Device.Axpy(alpha, _pHat, x);
                Monitor.Record(sNorm);
                return StopReason.ConvergedRelative;
            }

            if (Preconditioner is not null) Preconditioner.Apply(_r, _sHat);
            Operator.Apply(_sHat, _t);
            Device.MultiDot(_tAndS, 2, _t, _projections);
            double tt = _projections[0], ts = _projections[1];
            if (!double.IsFinite(tt) || !double.IsFinite(ts)) return StopReason.NaNOrInfinity;
            if (Math.Abs(ts) <= BreakdownTolerance * Math.Sqrt(tt) * sNorm)
            {
                Device.Axpy(alpha, _pHat, x);
                Monitor.Record(sNorm);
                return StopReason.Breakdown;
            }
            omega = ts / tt;

            _stepLengths[0] = alpha;
            _stepLengths[1] = omega;
            Device.MultiAxpyAdd(_updateDirections, 2, _stepLengths, x);
            Device.Axpy(-omega, _t, _r);
            Device.MultiDot(_shadowAndR, 2, _r, _projections);
            rhoPrevious = rho;
            rho = _projections[0];
            rNorm = Math.Sqrt(_projections[1]);
            Monitor.Record(rNorm);
            if (!double.IsFinite(rNorm) || !double.IsFinite(rho)) return StopReason.NaNOrInfinity;
            if (Monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;
        }
        return StopReason.MaxIterations;
    }
}
