using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;

namespace LearnedSolvers.Krylov;

/// <summary>
/// What CG and flexible CG share: the vectors r, z, p, q = A p, the start (r = b − A x, z = M r, p = z), each
/// iteration's product fused with pᵀAp and its x/r update, and the two ways to run the loop; a subclass supplies only
/// how the next direction is formed.
/// <para>
/// With host scalars, each iteration reads pᵀAp and ‖r‖² back and decides at once. With device scalars
/// (<see cref="UsesDeviceScalars"/>) the scalars of a window of <see cref="CheckEvery"/> iterations stay in a ring on
/// the device: α and β are formed there by the kernels, and the host reads the ring once per window and replays it on
/// the monitor, so the reported stopping iteration and breakdown reasons are those of the iteration where they
/// happened. The kernels take α = 0 on a broken-down step (pᵀAp ≤ 0, zᵀr ≤ 0, NaN), so x is what the last iteration
/// of the window left; x may be up to <see cref="CheckEvery"/> − 1 iterations past the converged one, and the result
/// reports its true residual. A preconditioner that is a diagonal scaling (<see cref="IDiagonalScaling"/>, e.g. Jacobi)
/// is fused into the update kernel there; any other is applied between the kernels.
/// </para>
/// <para>
/// Which loop runs depends on the device (<see cref="Device.PrefersDeviceScalars"/>), not on the operator: an operator
/// with <see cref="IFusedApplyDot"/> gives the product and pᵀAp in one pass in either loop, and one without it costs a
/// separate dot, which with device scalars still needs no host read.
/// </para>
/// </summary>
public abstract class ConjugateDirections : KrylovSolver
{
    /// <summary>
    /// Iterations between host reads when none is given: one read of 4·(k+1) doubles then costs under a tenth of k
    /// launch-bound iterations on a GPU.
    /// </summary>
    public const int DefaultCheckEvery = 10;

    /// <summary>Slots of one ring entry: pᵀAp, zᵀAp (flexible CG only), zᵀr (rᵀr without a preconditioner), rᵀr; CgStep writes RZ and RR together.</summary>
    protected const int Stride = 4, PQ = 0, ZQ = 1, RZ = 2, RR = 3;

    private readonly double[] _host;
    private readonly int _ring;

    /// <param name="a">The SPD operator.</param>
    /// <param name="preconditioner">The preconditioner M, or null.</param>
    /// <param name="options">Tolerances and iteration limit.</param>
    /// <param name="scalars">Where the iteration keeps its scalars; <see cref="ScalarPlacement.Auto"/> follows the device.</param>
    /// <param name="checkEvery">Iterations between host reads with device scalars (≥ 1); <see cref="DefaultCheckEvery"/> when 0.</param>
    protected ConjugateDirections(ILinearOperator a, IPreconditioner? preconditioner, SolverOptions? options, ScalarPlacement scalars, int checkEvery)
        : base(a, preconditioner, options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(checkEvery);
        if (!Enum.IsDefined(scalars)) throw new ArgumentOutOfRangeException(nameof(scalars), scalars, "Unknown scalar placement.");
        CheckEvery = checkEvery == 0 ? DefaultCheckEvery : checkEvery;
        UsesDeviceScalars = scalars == ScalarPlacement.Device || (scalars == ScalarPlacement.Auto && Device.PrefersDeviceScalars);
        Kernels = Device.Kernels(IKrylovKernels.Family);
        R = AllocateVector();
        Z = preconditioner is null ? R : AllocateVector();
        P = AllocateVector();
        Q = AllocateVector();
        _ring = CheckEvery + 1;
        if (UsesDeviceScalars)
        {
            Scalars = AllocateScalars(Stride * _ring);
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

    /// <summary>This device's fused Krylov steps.</summary>
    protected IKrylovKernels Kernels { get; }

    protected DeviceVector R { get; }
    protected DeviceVector Z { get; }
    protected DeviceVector P { get; }
    protected DeviceVector Q { get; }

    /// <summary>The ring of per-iteration scalars (null with host scalars).</summary>
    protected DeviceScalars? Scalars { get; }

    /// <summary>
    /// The operator when the device-scalar loop may form the next direction inside the product
    /// (<see cref="IFusedDirectionApplyDot"/>), else null: plain CG with z from the update kernel itself.
    /// </summary>
    protected virtual IFusedDirectionApplyDot? FusedDirection => null;

    private DeviceVector? _nextDirection;

    /// <summary>The preconditioner's diagonal when it is a pure scaling (fused into the device-scalar update), else null.</summary>
    protected DeviceVector? FusedScaling => (Preconditioner as IDiagonalScaling)?.Scaling;

    /// <summary>
    /// The end of a host-scalar iteration, after the x/r update left ‖r‖ = <paramref name="rNorm"/>: z = M r, the new
    /// direction p from z, and <paramref name="rz"/> (zᵀr) updated. Returns a reason to stop, or null to go on.
    /// </summary>
    protected abstract StopReason? NextDirection(double pq, double rNorm, ref double rz);

    /// <summary>
    /// The end of a device-scalar iteration, after pᵀAp (at <paramref name="current"/> + PQ), the x/r update and, with a
    /// fused scaling, z and zᵀr: the preconditioner, the true zᵀr at <paramref name="current"/> + RZ (zᵀAp at ZQ where
    /// used) and p ← z + βp, with the previous zᵀr at <paramref name="previous"/> + RZ.
    /// </summary>
    protected abstract void NextDirectionOnDevice(DeviceScalars scalars, int previous, int current);

    protected sealed override StopReason Iterate(DeviceVector b, DeviceVector x) =>
        UsesDeviceScalars ? IterateWithDeviceScalars(b, x, Scalars!) : IterateWithHostScalars(b, x);

    private StopReason IterateWithHostScalars(DeviceVector b, DeviceVector x)
    {
        if (StartConjugateDirections(b, x, R, Z, P, out double rz) is { } stop) return stop;

        while (Monitor.IterationsLeft > 0)
        {
            // A breakdown counts as an iteration that changed nothing, as in the device-scalar loop, so that both loops
            // report the same stop at the same iteration.
            double pq = ApplyAndDot(P, Q);
            if (!double.IsFinite(pq))
            {
                Monitor.Record(double.NaN);
                return StopReason.NaNOrInfinity;
            }
            if (pq <= 0)
            {
                Monitor.Record(Monitor.LastResidualNorm);
                return StopReason.IndefiniteMatrix;
            }
            double rNorm = Math.Sqrt(Kernels.UpdateWithNorm(rz / pq, P, Q, x, R));
            Monitor.Record(rNorm);
            if (!double.IsFinite(rNorm)) return StopReason.NaNOrInfinity;
            if (Monitor.IsConverged(rNorm)) return StopReason.ConvergedRelative;
            if (NextDirection(pq, rNorm, ref rz) is { } directionStop) return directionStop;
        }
        return StopReason.MaxIterations;
    }

    private StopReason IterateWithDeviceScalars(DeviceVector b, DeviceVector x, DeviceScalars scalars)
    {
        if (StartConjugateDirections(b, x, R, Z, P, out double rz) is { } stop) return stop;
        Array.Clear(_host);
        _host[RZ] = rz; // ring entry 0 holds the starting zᵀr
        scalars.CopyFrom(_host);
        var scaling = FusedScaling;

        // With a fused direction, iteration k > 0 forms p from z, the last p and β = zᵀr of entry k over that of
        // entry k − 1 inside its product, into the other of two direction vectors.
        var fused = FusedDirection;
        DeviceVector p = P, spare = fused is null ? P : _nextDirection ??= AllocateVector();
        int done = 0; // iterations run on the device, ahead of what the monitor has seen
        while (Monitor.IterationsLeft > 0)
        {
            int window = Math.Min(CheckEvery, Monitor.IterationsLeft);
            for (int j = 0; j < window; j++)
            {
                int previous = Stride * (done % _ring), current = Stride * ((done + 1) % _ring);
                if (fused is not null && done > 0)
                {
                    int older = Stride * ((done - 1) % _ring);
                    fused.DirectionApplyAndDotTo(Z, p, spare, Q, scalars, previous + RZ, older + RZ, current + PQ);
                    (p, spare) = (spare, p);
                }
                else
                {
                    ApplyAndDotTo(p, Q, scalars, current + PQ);
                }
                Kernels.CgStep(scalars, previous + RZ, current + PQ, current + RZ, p, Q, x, R, Z, scaling);
                if (fused is null) NextDirectionOnDevice(scalars, previous, current);
                done++;
            }
            scalars.CopyTo(_host); // the one synchronization of the window
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

    /// <summary>q = A p and pᵀq, fused where the operator can.</summary>
    private double ApplyAndDot(DeviceVector p, DeviceVector q)
    {
        if (Operator is IFusedApplyDot fused) return fused.ApplyAndDot(p, q);
        Operator.Apply(p, q);
        return Device.Dot(p, q);
    }

    /// <summary>q = A p and s[slot] ← pᵀq on the device, fused where the operator can.</summary>
    private void ApplyAndDotTo(DeviceVector p, DeviceVector q, DeviceScalars s, int slot)
    {
        if (Operator is IFusedApplyDot fused)
        {
            fused.ApplyAndDotTo(p, q, s, slot);
            return;
        }
        Operator.Apply(p, q);
        Device.DotTo(p, q, s, slot);
    }
}
