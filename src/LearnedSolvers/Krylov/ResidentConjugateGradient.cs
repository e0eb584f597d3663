using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Krylov;

/// <summary>
/// CG and PCG whose scalars never leave the device during the iteration: α, β, pᵀAp, rᵀz and ‖r‖² are computed and
/// consumed by device kernels (<see cref="Device.CgStep"/>, <see cref="Device.CgDirection"/>,
/// <see cref="DeviceCsrMatrix.ApplyAndDotTo"/>), and the host reads them only every <see cref="CheckEvery"/>
/// iterations, in one copy. Per iteration on a GPU: the SpMV fused with pᵀAp, the x/r update fused with the Jacobi
/// scaling and both reductions, and the direction update, with no host synchronization.
/// <para>
/// The result reports the exact iteration at which ‖r‖ first met the tolerance (the history is read back whole), and
/// the true residual of the returned x. x comes from the last iteration run, up to <see cref="CheckEvery"/> − 1
/// iterations past that point, so it is at least as accurate. A broken-down step (pᵀAp ≤ 0, rᵀz ≤ 0, NaN) makes the
/// kernels take α = 0, so x and r stay at their last good values while the window finishes; the reason is reported
/// for the iteration where it happened.
/// </para>
/// <para>
/// Preconditioners: Jacobi is fused into the update kernel; any other symmetric linear one is applied between the
/// kernels (its own synchronization, if any, is its own). A and M must be SPD, as for <see cref="ConjugateGradient"/>.
/// </para>
/// </summary>
public sealed class ResidentConjugateGradient : KrylovSolver
{
    /// <summary>
    /// Iterations between host reads when none is given. Provisional: chosen so that one read of 3·(k+1) doubles
    /// costs under a tenth of k launch-bound iterations on a GPU; to be set by measurement on the H100.
    /// </summary>
    public const int DefaultCheckEvery = 10;

    private const int Stride = 3; // per ring entry: pᵀAp, rᵀz, rᵀr
    private readonly DeviceCsrMatrix _a;
    private readonly DeviceVector _r, _z, _p, _q;
    private readonly DeviceVector? _inverseDiagonal;
    private readonly DeviceScalars _scalars;
    private readonly double[] _host;
    private readonly int _ring;

    /// <param name="a">The SPD matrix on its device.</param>
    /// <param name="preconditioner">Null, <see cref="Jacobi"/> (fused), or another symmetric linear preconditioner.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="checkEvery">Iterations between host reads of the residual norms (≥ 1); <see cref="DefaultCheckEvery"/> when 0.</param>
    public ResidentConjugateGradient(DeviceCsrMatrix a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int checkEvery = 0)
        : base(a, preconditioner, options)
    {
        if (preconditioner is { IsSymmetric: false } or { IsLinear: false })
            throw new ArgumentException("CG needs a symmetric linear preconditioner; use FlexibleConjugateGradient or GMRES with this one.", nameof(preconditioner));
        ArgumentOutOfRangeException.ThrowIfNegative(checkEvery);
        CheckEvery = checkEvery == 0 ? DefaultCheckEvery : checkEvery;
        _a = a;
        _inverseDiagonal = (preconditioner as Jacobi)?.InverseDiagonal;
        _r = Device.Allocate(Size);
        _z = preconditioner is null ? _r : Device.Allocate(Size);
        _p = Device.Allocate(Size);
        _q = Device.Allocate(Size);
        _ring = CheckEvery + 1;
        _scalars = Device.AllocateScalars(Stride * _ring);
        _host = new double[Stride * _ring];
    }

    /// <summary>Iterations between host reads of the scalars.</summary>
    public int CheckEvery { get; }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        if (StartConjugateDirections(b, x, _r, _z, _p, out double rz) is { } stop) return stop;
        Array.Clear(_host);
        _host[1] = rz; // ring entry 0 holds the starting rᵀz
        _scalars.CopyFrom(_host);

        int done = 0; // iterations run on the device, ahead of what the monitor has seen
        while (Monitor.IterationsLeft > 0)
        {
            int window = Math.Min(CheckEvery, Monitor.IterationsLeft);
            for (int j = 0; j < window; j++)
            {
                int previous = Stride * (done % _ring), current = Stride * ((done + 1) % _ring);
                _a.ApplyAndDotTo(_p, _q, _scalars, current);
                Device.CgStep(_scalars, previous + 1, current, current + 1, _p, _q, x, _r, _z, _inverseDiagonal);
                if (Preconditioner is not null && _inverseDiagonal is null)
                {
                    Preconditioner.Apply(_r, _z);
                    Device.DotTo(_r, _z, _scalars, current + 1);
                }
                Device.CgDirection(_scalars, current + 1, previous + 1, _z, _p);
                done++;
            }
            _scalars.CopyTo(_host); // the one synchronization of the window
            for (int j = 0; j < window; j++)
            {
                int entry = Stride * ((done - window + j + 1) % _ring);
                double pq = _host[entry], rzNew = _host[entry + 1], rr = _host[entry + 2];
                if (!double.IsFinite(pq) || !double.IsFinite(rr) || !double.IsFinite(rzNew))
                {
                    Monitor.Record(double.NaN);
                    return StopReason.NaNOrInfinity;
                }
                if (pq <= 0)
                {
                    Monitor.Record(Monitor.LastResidualNorm); // α = 0: the step changed nothing
                    return StopReason.IndefiniteMatrix;
                }
                double rNorm = Math.Sqrt(rr);
                Monitor.Record(rNorm);
                if (Monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;
                if (Preconditioner is not null && rzNew <= 0) return StopReason.IndefinitePreconditioner;
            }
        }
        return StopReason.MaxIterations;
    }
}
