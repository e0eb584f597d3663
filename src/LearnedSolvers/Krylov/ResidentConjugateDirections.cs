using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Krylov;

/// <summary>
/// What device-resident CG and flexible CG share: the vectors, a ring of per-iteration scalars on the device, and the
/// window loop that runs <see cref="CheckEvery"/> iterations of kernels and then reads the ring in one copy to replay
/// the iterations on the host monitor (exact stopping iteration, breakdown reasons where they happened). Every
/// iteration starts with the SpMV fused with pᵀAp and the x/r update (<see cref="Device.CgStep"/>); a subclass supplies
/// the rest (<see cref="Direction"/>): the preconditioner, zᵀr, and the new direction.
/// </summary>
public abstract class ResidentConjugateDirections : KrylovSolver
{
    /// <summary>
    /// Iterations between host reads when none is given. Provisional: chosen so that one read of 4·(k+1) doubles
    /// costs under a tenth of k launch-bound iterations on a GPU; to be set by measurement on the H100.
    /// </summary>
    public const int DefaultCheckEvery = 10;

    /// <summary>Slots of one ring entry: pᵀAp, zᵀAp (flexible CG only), zᵀr (rᵀr without a preconditioner), rᵀr; CgStep writes RZ and RR together.</summary>
    protected const int Stride = 4, PQ = 0, ZQ = 1, RZ = 2, RR = 3;

    private readonly double[] _host;
    private readonly int _ring;

    /// <param name="a">The SPD matrix on its device.</param>
    /// <param name="preconditioner">Null, <see cref="Jacobi"/> (fused into the update), or another preconditioner applied between the kernels.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="checkEvery">Iterations between host reads (≥ 1); <see cref="DefaultCheckEvery"/> when 0.</param>
    protected ResidentConjugateDirections(DeviceCsrMatrix a, IPreconditioner? preconditioner, SolverOptions? options, int checkEvery)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkEvery);
        CheckEvery = checkEvery == 0 ? DefaultCheckEvery : checkEvery;
        Matrix = a;
        InverseDiagonal = (preconditioner as Jacobi)?.InverseDiagonal;
        R = Device.Allocate(Size);
        Z = preconditioner is null ? R : Device.Allocate(Size);
        P = Device.Allocate(Size);
        Q = Device.Allocate(Size);
        _ring = CheckEvery + 1;
        Scalars = Device.AllocateScalars(Stride * _ring);
        _host = new double[Stride * _ring];
    }

    /// <summary>Iterations between host reads of the scalars.</summary>
    public int CheckEvery { get; }

    protected DeviceCsrMatrix Matrix { get; }
    protected DeviceVector R { get; }
    protected DeviceVector Z { get; }
    protected DeviceVector P { get; }
    protected DeviceVector Q { get; }

    /// <summary>The Jacobi preconditioner's D⁻¹ when it is the preconditioner (fused into <see cref="Device.CgStep"/>), else null.</summary>
    protected DeviceVector? InverseDiagonal { get; }

    protected DeviceScalars Scalars { get; }

    /// <summary>
    /// The end of an iteration, after pᵀAp (at <paramref name="current"/> + PQ), the x/r update and, with a fused Jacobi,
    /// z and zᵀr: the preconditioner, the true zᵀr at <paramref name="current"/> + RZ (zᵀAp at ZQ where used) and
    /// p ← z + βp, with the previous zᵀr at <paramref name="previous"/> + RZ.
    /// </summary>
    protected abstract void Direction(int previous, int current);

    protected sealed override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        if (StartConjugateDirections(b, x, R, Z, P, out double rz) is { } stop) return stop;
        Array.Clear(_host);
        _host[RZ] = rz; // ring entry 0 holds the starting zᵀr
        Scalars.CopyFrom(_host);

        int done = 0; // iterations run on the device, ahead of what the monitor has seen
        while (Monitor.IterationsLeft > 0)
        {
            int window = Math.Min(CheckEvery, Monitor.IterationsLeft);
            for (int j = 0; j < window; j++)
            {
                int previous = Stride * (done % _ring), current = Stride * ((done + 1) % _ring);
                Matrix.ApplyAndDotTo(P, Q, Scalars, current + PQ);
                Device.CgStep(Scalars, previous + RZ, current + PQ, current + RZ, P, Q, x, R, Z, InverseDiagonal);
                Direction(previous, current);
                done++;
            }
            Scalars.CopyTo(_host); // the one synchronization of the window
            for (int j = 0; j < window; j++)
            {
                int entry = Stride * ((done - window + j + 1) % _ring);
                double pq = _host[entry + PQ], zq = _host[entry + ZQ], rzNew = _host[entry + RZ], rr = _host[entry + RR];
                if (!double.IsFinite(pq) || !double.IsFinite(zq) || !double.IsFinite(rzNew) || !double.IsFinite(rr))
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
