using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;

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
/// <para>
/// With device scalars (<see cref="UsesDeviceScalars"/>; the default on a device that prefers them, for a linear
/// preconditioner) ρ, r̂ᵀv, tᵀs, tᵀt and the norms are written by the kernels (<see cref="IKrylovKernels.BiCgStabDirection"/>,
/// <see cref="IKrylovKernels.ScaledAxpyWithNorm"/>, <see cref="IKrylovKernels.BiCgStabUpdate"/>, <see cref="Device.DotTo"/>,
/// <see cref="Device.MultiDotTo"/>) and α, β, ω are formed from them on the device; the host reads them every
/// <see cref="CheckEvery"/> iterations and replays them, so the reported iteration is exact. A zero or non-finite
/// divisor makes the kernels take a zero step (x stays put) and is reported as <see cref="StopReason.Breakdown"/> or
/// <see cref="StopReason.NaNOrInfinity"/> at the iteration where it happened. That loop does not take the half-step
/// exit (stopping on ‖s‖): it would need a host read per iteration, and the full step's residual is no larger.
/// </para>
/// </summary>
public sealed class BiCgStab : KrylovSolver
{
    private const double MachineEpsilon = 2.220446049250313e-16;
    private const double BreakdownTolerance = MachineEpsilon * MachineEpsilon;

    // Per ring entry (one iteration) with device scalars: r̂ᵀv, ‖s‖², tᵀt, tᵀs, ρ = r̂ᵀr, ‖r‖².
    private const int Stride = 6, RHatV = 0, SNorm = 1, TT = 2, TS = 3, Rho = 4, RNorm = 5;

    private readonly DeviceVector _r, _rHat, _p, _v, _t, _pHat, _sHat;
    private readonly DeviceVector[] _shadowAndV, _tAndS, _shadowAndR, _updateDirections;
    private readonly double[] _projections = new double[2];
    private readonly double[] _stepLengths = new double[2];
    private readonly DeviceScalars? _scalars;
    private readonly double[] _host;
    private readonly int _ring;
    private readonly IKrylovKernels _kernels;

    /// <param name="a">The square operator.</param>
    /// <param name="preconditioner">The right preconditioner, or null (linear for device scalars).</param>
    /// <param name="options">Tolerances and iteration limit; <see cref="SolverOptions.Default"/> when null.</param>
    /// <param name="scalars">
    /// Where the iteration keeps its scalars; <see cref="ScalarPlacement.Auto"/> follows the device and takes the host
    /// for a nonlinear preconditioner (the device loop needs a linear one).
    /// </param>
    /// <param name="checkEvery">Iterations between host reads with device scalars (≥ 1); <see cref="ConjugateDirections.DefaultCheckEvery"/> when 0.</param>
    public BiCgStab(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null,
        ScalarPlacement scalars = ScalarPlacement.Auto, int checkEvery = 0)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkEvery);
        if (!Enum.IsDefined(scalars)) throw new ArgumentOutOfRangeException(nameof(scalars), scalars, "Unknown scalar placement.");
        bool linear = preconditioner is not { IsLinear: false };
        if (scalars == ScalarPlacement.Device && !linear)
            throw new ArgumentException("BiCGStab with device scalars needs a linear preconditioner; use host scalars or FlexibleGmres with this one.", nameof(preconditioner));
        UsesDeviceScalars = scalars == ScalarPlacement.Device || (scalars == ScalarPlacement.Auto && linear && Device.PrefersDeviceScalars);
        CheckEvery = checkEvery == 0 ? ConjugateDirections.DefaultCheckEvery : checkEvery;
        _kernels = Device.Kernels(IKrylovKernels.Family);
        _r = AllocateVector();
        _rHat = AllocateVector();
        _p = AllocateVector();
        _v = AllocateVector();
        _t = AllocateVector();
        _pHat = preconditioner is null ? _p : AllocateVector();
        // s = r − αv is only needed until r = s − ωt, so it lives in r; ŝ = M s needs its own vector.
        _sHat = preconditioner is null ? _r : AllocateVector();
        _shadowAndV = [_rHat, _v];
        _tAndS = [_t, _r];
        _shadowAndR = [_rHat, _r];
        _updateDirections = [_pHat, _sHat];
        _ring = CheckEvery + 1;
        if (UsesDeviceScalars)
        {
            _scalars = AllocateScalars(Stride * _ring);
            _host = new double[Stride * _ring];
        }
        else
        {
            _host = [];
        }
    }

    /// <summary>True when the iteration keeps its scalars on the device and reads them every <see cref="CheckEvery"/> iterations.</summary>
    public bool UsesDeviceScalars { get; }

    /// <summary>Iterations between host reads of the scalars (with device scalars).</summary>
    public int CheckEvery { get; }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x) =>
        _scalars is { } scalars ? IterateWithDeviceScalars(b, x, scalars) : IterateWithHostScalars(b, x);

    private StopReason IterateWithHostScalars(DeviceVector b, DeviceVector x)
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

    private StopReason IterateWithDeviceScalars(DeviceVector b, DeviceVector x, DeviceScalars scalars)
    {
        if (StartResidual(b, x, _r, out double rNorm) is { } stop) return stop;
        Device.Copy(_r, _rHat);
        Array.Clear(_host);
        _host[Rho] = rNorm * rNorm; // entry 0: ρ₀ = r̂ᵀr₀
        scalars.CopyFrom(_host);

        int done = 0;
        while (Monitor.IterationsLeft > 0)
        {
            int window = Math.Min(CheckEvery, Monitor.IterationsLeft);
            for (int j = 0; j < window; j++)
            {
                int previous = Stride * (done % _ring), current = Stride * ((done + 1) % _ring);
                _kernels.BiCgStabDirection(scalars, previous + Rho, previous + RHatV, previous + TS, previous + TT, first: done == 0, _r, _v, _p);
                Precondition(_p, _pHat);
                Operator.Apply(_pHat, _v);
                Device.DotTo(_rHat, _v, scalars, current + RHatV);
                _kernels.ScaledAxpyWithNorm(scalars, previous + Rho, current + RHatV, _v, _r, current + SNorm); // r holds s
                Precondition(_r, _sHat);
                Operator.Apply(_sHat, _t);
                Device.MultiDotTo(_tAndS, 2, _t, scalars, current + TT); // tᵀt, sᵀt
                _kernels.BiCgStabUpdate(scalars, previous + Rho, current + RHatV, current + TS, current + TT, current + Rho, _pHat, _sHat, _t, x, _r, _rHat);
                done++;
            }
            scalars.CopyTo(_host); // the one synchronization of the window
            for (int j = 0; j < window; j++)
            {
                int entry = Stride * ((done - window + j + 1) % _ring);
                double rHatV = _host[entry + RHatV], tt = _host[entry + TT], ts = _host[entry + TS], rho = _host[entry + Rho], rr = _host[entry + RNorm];
                if (!double.IsFinite(rHatV) || !double.IsFinite(tt) || !double.IsFinite(ts) || !double.IsFinite(rho) || !double.IsFinite(rr))
                {
                    Monitor.Record(double.NaN);
                    return StopReason.NaNOrInfinity;
                }
                if (rHatV == 0 || tt == 0 || ts == 0)
                {
                    Monitor.Record(Monitor.LastResidualNorm);
                    return StopReason.Breakdown;
                }
                rNorm = Math.Sqrt(rr);
                Monitor.Record(rNorm);
                if (Monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;
                if (rho == 0) return StopReason.Breakdown; // the next direction would divide by it
            }
        }
        return StopReason.MaxIterations;
    }
}
