using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Krylov;

/// <summary>
/// Flexible CG, FCG(1) as in <see cref="FlexibleConjugateGradient"/>, with its scalars on the device: pᵀAp comes
/// from the SpMV (<see cref="DeviceCsrMatrix.ApplyAndDotTo"/>), α from <see cref="Device.CgStep"/>, zᵀAp and zᵀr from
/// one <see cref="Device.MultiDotTo"/> pass, and the direction p ← z − (zᵀAp / pᵀAp) p from
/// <see cref="Device.CgDirection"/> with factor −1; the host reads them only every <see cref="CheckEvery"/> iterations.
/// <para>
/// The preconditioner may vary or be nonlinear (it is applied between the kernels; Jacobi is fused into the update).
/// Reporting as <see cref="ResidentConjugateGradient"/>: the exact iteration at which ‖r‖ met the tolerance, and a
/// broken-down step (pᵀAp ≤ 0, zᵀr ≤ 0, NaN) reported for the iteration where it happened. The kernels take α = 0 on
/// such a step; x is what the last iteration of the window left, and the result's residual is that x's true one.
/// </para>
/// </summary>
public sealed class ResidentFlexibleConjugateGradient : KrylovSolver
{
    // Per ring entry: pᵀAp, zᵀAp, zᵀr, rᵀr. zᵀAp and zᵀr are adjacent so that one MultiDotTo over [Ap, r] writes both;
    // CgStep writes zᵀr (rᵀr without a fused Jacobi) and rᵀr, and the MultiDotTo then overwrites zᵀr with the true one.
    private const int Stride = 4, PQ = 0, ZQ = 1, RZ = 2, RR = 3;
    private readonly DeviceCsrMatrix _a;
    private readonly DeviceVector _r, _z, _p, _q;
    private readonly DeviceVector[] _productAndResidual;
    private readonly DeviceVector? _inverseDiagonal;
    private readonly DeviceScalars _scalars;
    private readonly double[] _host;
    private readonly int _ring;

    /// <param name="a">The SPD matrix on its device.</param>
    /// <param name="preconditioner">Null, <see cref="Jacobi"/> (fused), or any other, possibly variable or nonlinear, preconditioner.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="checkEvery">Iterations between host reads (≥ 1); <see cref="ResidentConjugateGradient.DefaultCheckEvery"/> when 0.</param>
    public ResidentFlexibleConjugateGradient(DeviceCsrMatrix a, IPreconditioner? preconditioner = null, SolverOptions? options = null, int checkEvery = 0)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkEvery);
        CheckEvery = checkEvery == 0 ? ResidentConjugateGradient.DefaultCheckEvery : checkEvery;
        _a = a;
        _inverseDiagonal = (preconditioner as Jacobi)?.InverseDiagonal;
        _r = Device.Allocate(Size);
        _z = preconditioner is null ? _r : Device.Allocate(Size);
        _p = Device.Allocate(Size);
        _q = Device.Allocate(Size);
        _productAndResidual = [_q, _r];
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
        _host[RZ] = rz; // ring entry 0 holds the starting zᵀr
        _scalars.CopyFrom(_host);

        int done = 0; // iterations run on the device, ahead of what the monitor has seen
        while (Monitor.IterationsLeft > 0)
        {
            int window = Math.Min(CheckEvery, Monitor.IterationsLeft);
            for (int j = 0; j < window; j++)
            {
                int previous = Stride * (done % _ring), current = Stride * ((done + 1) % _ring);
                _a.ApplyAndDotTo(_p, _q, _scalars, current + PQ);
                Device.CgStep(_scalars, previous + RZ, current + PQ, current + RZ, _p, _q, x, _r, _z, _inverseDiagonal);
                if (Preconditioner is not null && _inverseDiagonal is null) Preconditioner.Apply(_r, _z);
                Device.MultiDotTo(_productAndResidual, 2, _z, _scalars, current + ZQ);
                Device.CgDirection(_scalars, current + ZQ, current + PQ, _z, _p, factor: -1);
                done++;
            }
            _scalars.CopyTo(_host); // the one synchronization of the window
            for (int j = 0; j < window; j++)
            {
                int entry = Stride * ((done - window + j + 1) % _ring);
                double pq = _host[entry + PQ], zq = _host[entry + ZQ], rzNew = _host[entry + RZ], rr = _host[entry + RR];
                if (!double.IsFinite(pq) || !double.IsFinite(rr) || !double.IsFinite(rzNew) || !double.IsFinite(zq))
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
                if (rzNew <= 0) return StopReason.IndefinitePreconditioner;
            }
        }
        return StopReason.MaxIterations;
    }
}
