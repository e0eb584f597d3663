using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// <see cref="BiCgStab"/> with its scalars on the device: ρ, r̂ᵀv, tᵀs, tᵀt and the norms are written by the kernels
/// (<see cref="Device.BiCgStabDirection"/>, <see cref="Device.ScaledAxpyWithNorm"/>, <see cref="Device.BiCgStabUpdate"/>,
/// <see cref="Device.DotTo"/>, <see cref="Device.MultiDotTo"/>) and α, β, ω are formed from them on the device, so the
/// host reads them only every <see cref="CheckEvery"/> iterations. Right-preconditioned, same iteration as
/// <see cref="BiCgStab"/> (two SpMVs, two applications of M); the reported iteration is exact and the residual is the
/// true one. A zero or non-finite divisor makes the kernels take a zero step (x stays put) and is reported as
/// <see cref="StopReason.Breakdown"/> or <see cref="StopReason.NaNOrInfinity"/> at the iteration where it happened.
/// The half-step exit of <see cref="BiCgStab"/> (stopping on ‖s‖) is not taken: the full step's residual is no larger.
/// </summary>
public sealed class ResidentBiCgStab : KrylovSolver
{
    // Per ring entry (one iteration): r̂ᵀv, ‖s‖², tᵀt, tᵀs, ρ = r̂ᵀr, ‖r‖².
    private const int Stride = 6, RHatV = 0, SNorm = 1, TT = 2, TS = 3, Rho = 4, RNorm = 5;

    private readonly DeviceVector _r, _rHat, _p, _v, _t, _pHat, _sHat;
    private readonly DeviceVector[] _tAndS;
    private readonly DeviceScalars _scalars;
    private readonly double[] _host;
    private readonly int _ring;

    /// <param name="a">The square operator.</param>
    /// <param name="preconditioner">A linear right preconditioner, or null.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="checkEvery">Iterations between host reads (≥ 1); <see cref="ResidentConjugateDirections.DefaultCheckEvery"/> when 0.</param>
    public ResidentBiCgStab(ILinearOperator a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int checkEvery = 0)
        : base(a, preconditioner, options)
    {
        if (preconditioner is { IsLinear: false })
            throw new ArgumentException("The device-resident BiCGStab needs a linear preconditioner; use BiCgStab or FlexibleGmres with this one.", nameof(preconditioner));
        ArgumentOutOfRangeException.ThrowIfNegative(checkEvery);
        CheckEvery = checkEvery == 0 ? ResidentConjugateDirections.DefaultCheckEvery : checkEvery;
        _r = Device.Allocate(Size);
        _rHat = Device.Allocate(Size);
        _p = Device.Allocate(Size);
        _v = Device.Allocate(Size);
        _t = Device.Allocate(Size);
        _pHat = preconditioner is null ? _p : Device.Allocate(Size);
        _sHat = preconditioner is null ? _r : Device.Allocate(Size); // s lives in r until r = s − ωt
        _tAndS = [_t, _r];
        _ring = CheckEvery + 1;
        _scalars = Device.AllocateScalars(Stride * _ring);
        _host = new double[Stride * _ring];
    }

    /// <summary>Iterations between host reads of the scalars.</summary>
    public int CheckEvery { get; }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        if (StartResidual(b, x, _r, out double rNorm) is { } stop) return stop;
        Device.Copy(_r, _rHat);
        Array.Clear(_host);
        _host[Rho] = rNorm * rNorm; // entry 0: ρ₀ = r̂ᵀr₀
        _scalars.CopyFrom(_host);

        int done = 0;
        while (Monitor.IterationsLeft > 0)
        {
            int window = Math.Min(CheckEvery, Monitor.IterationsLeft);
            for (int j = 0; j < window; j++)
            {
                int previous = Stride * (done % _ring), current = Stride * ((done + 1) % _ring);
                Device.BiCgStabDirection(_scalars, previous + Rho, previous + RHatV, previous + TS, previous + TT, first: done == 0, _r, _v, _p);
                Precondition(_p, _pHat);
                Operator.Apply(_pHat, _v);
                Device.DotTo(_rHat, _v, _scalars, current + RHatV);
                Device.ScaledAxpyWithNorm(_scalars, previous + Rho, current + RHatV, _v, _r, current + SNorm); // r holds s
                Precondition(_r, _sHat);
                Operator.Apply(_sHat, _t);
                Device.MultiDotTo(_tAndS, 2, _t, _scalars, current + TT); // tᵀt, sᵀt
                Device.BiCgStabUpdate(_scalars, previous + Rho, current + RHatV, current + TS, current + TT, current + Rho, _pHat, _sHat, _t, x, _r, _rHat);
                done++;
            }
            _scalars.CopyTo(_host); // the one synchronization of the window
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
