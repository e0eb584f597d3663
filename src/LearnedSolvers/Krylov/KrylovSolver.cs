using System.Diagnostics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// What every Krylov method shares: argument checks, the zero right-hand side, the NaN guard, timing, and
/// the final true-residual check. A method that claims convergence on its recursive residual while the true
/// residual still misses the tolerance (rounding drift) is restarted from the true residual; when that cannot
/// help either, the solve reports <see cref="StopReason.Stagnation"/> rather than a false success.
/// <para>
/// A solver owns its workspace (device vectors and device scalars, allocated through <see cref="AllocateVector"/>,
/// <see cref="AllocateScalars"/> or <see cref="Own{T}"/>) and releases it on <see cref="Dispose()"/>; a repeated solve
/// allocates nothing. It does not own the operator or the preconditioner: those may be shared read-only by solvers on
/// other threads. One solver solves on one thread at a time: a concurrent <see cref="Solve"/> throws
/// <see cref="InvalidOperationException"/> instead of corrupting the running one.
/// </para>
/// </summary>
public abstract class KrylovSolver : ILinearSolver
{
    private const int MaxResidualReplacements = 3;

    /// <summary>A restart cycle that reduces the residual by less than this relative amount counts as no progress.</summary>
    private const double StagnationFactor = 1 - 1e-12;

    private const string CycleStagnated = "a full restart cycle did not reduce the residual: increase the restart length or use a stronger preconditioner";
    private readonly DeviceVector _trueResidual;
    private readonly List<IDisposable> _owned = [];
    private int _solving; // 1 while a Solve runs (Interlocked)
    private bool _disposed;

    protected KrylovSolver(ILinearOperator a, IPreconditioner? preconditioner, SolverOptions? options)
    {
        CheckOperators(a, preconditioner);
        Options = options ?? SolverOptions.Default;
        Options.Validate();
        Operator = a;
        Preconditioner = preconditioner;
        Device = a.Device;
        _trueResidual = AllocateVector();
    }

    public ILinearOperator Operator { get; private set; }
    public IPreconditioner? Preconditioner { get; private set; }
    public SolverOptions Options { get; }
    public Device Device { get; }
    protected int Size => Operator.Rows;
    protected ConvergenceMonitor Monitor { get; } = new();

    /// <summary>
    /// Swaps in the next operator (and preconditioner) of a sequence, for methods that carry state from one system to
    /// the next (recycling). Same size and device as before, so every workspace vector stays valid.
    /// </summary>
    protected void ReplaceOperator(ILinearOperator a, IPreconditioner? preconditioner)
    {
        CheckOperators(a, preconditioner);
        if (a.Rows != Size) throw new ArgumentException($"The new operator is {a.Rows} x {a.Columns}; the solver was built for {Size} x {Size}.", nameof(a));
        if (!ReferenceEquals(a.Device, Device))
            throw new DeviceMismatchException($"The new operator runs on '{a.Device.Name}', the solver on '{Device.Name}'.");
        Operator = a;
        Preconditioner = preconditioner;
    }

    /// <summary>Called once at the start of every <see cref="Solve"/>, before any check or iteration (per-solve counters).</summary>
    protected virtual void OnSolveStarting() { }

    private static void CheckOperators(ILinearOperator a, IPreconditioner? preconditioner)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (a.Rows != a.Columns) throw new ArgumentException($"The operator is {a.Rows} x {a.Columns}; a Krylov solver needs a square one.", nameof(a));
        if (preconditioner is not null)
        {
            if (preconditioner.Rows != a.Rows || preconditioner.Columns != a.Columns)
                throw new ArgumentException($"The preconditioner is {preconditioner.Rows} x {preconditioner.Columns}; the operator is {a.Rows} x {a.Columns}.", nameof(preconditioner));
            if (!ReferenceEquals(preconditioner.Device, a.Device))
                throw new DeviceMismatchException($"The preconditioner runs on '{preconditioner.Device.Name}', the operator on '{a.Device.Name}'.");
        }
    }

    /// <summary>Why <see cref="Iterate"/> stopped short of convergence, in words for <see cref="SolveResult.Message"/>; cleared before each call.</summary>
    protected string StopDetail { get; set; } = "";

    /// <inheritdoc />
    public SolveResult Solve(DeviceVector b, DeviceVector x)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (Interlocked.CompareExchange(ref _solving, 1, 0) != 0)
            throw new InvalidOperationException(
                "This solver is already solving on another thread; create one solver per thread — matrices and preconditioner factors may be shared read-only.");
        try
        {
            return SolveOnce(b, x);
        }
        finally
        {
            Volatile.Write(ref _solving, 0);
        }
    }

    private SolveResult SolveOnce(DeviceVector b, DeviceVector x)
    {
        OnSolveStarting();
        Device.Check(b, Size, nameof(b));
        Device.Check(x, Size, nameof(x));
        if (ReferenceEquals(b, x)) throw new ArgumentException("b and x must be different vectors.", nameof(x));
        var clock = Stopwatch.StartNew();
        double bNorm = Device.Norm2(b);
        Monitor.Start(Options, bNorm);
        if (!double.IsFinite(bNorm))
            return Finish(StopReason.NaNOrInfinity, double.NaN, clock, "b contains NaN or infinity");
        if (bNorm == 0)
        {
            // The unique solution of A x = 0 for nonsingular A; answering directly avoids 0/0 in the relative residual.
            Device.Fill(x, 0);
            Monitor.RecordInitial(0);
            return Finish(StopReason.ConvergedRelative, 0, clock);
        }

        StopReason reason = StopReason.MaxIterations;
        double trueNorm = double.NaN;
        string message = "";
        for (int attempt = 0; attempt <= MaxResidualReplacements; attempt++)
        {
            StopDetail = "";
            reason = Iterate(b, x);
            trueNorm = TrueResidualNorm(b, x);
            if (!double.IsFinite(trueNorm)) return Finish(StopReason.NaNOrInfinity, double.NaN, clock, StopDetail);
            if (!reason.IsConverged())
            {
                message = StopDetail;
                if (Monitor.HasDiverged)
                {
                    reason = StopReason.Diverged;
                    message = $"the residual grew past {Options.DivergenceTolerance:G3} times its initial norm";
                }
                break;
            }
            if (Monitor.IsConverged(trueNorm))
            {
                reason = trueNorm <= Options.RelativeTolerance * bNorm ? StopReason.ConvergedRelative : StopReason.ConvergedAbsolute;
                break;
            }
            // Recursive residual converged but the true one did not: iterate again from the true residual.
            reason = Monitor.IterationsLeft > 0 ? StopReason.Stagnation : StopReason.MaxIterations;
            message = "the recursive residual met the tolerance but the true residual did not"
                + (reason == StopReason.Stagnation ? ", even after restarting from it" : "");
            if (Monitor.IterationsLeft <= 0) break;
        }
        return Finish(reason, trueNorm / bNorm, clock, message);
    }

    /// <summary>
    /// Runs the method from the current x until its own residual estimate meets the tolerance, it fails, or the
    /// iteration budget (<see cref="ConvergenceMonitor.IterationsLeft"/>) is spent. Record every iteration on
    /// <see cref="Monitor"/>. Return <see cref="StopReason.ConvergedRelative"/> to mean "converged by my estimate".
    /// </summary>
    protected abstract StopReason Iterate(DeviceVector b, DeviceVector x);

    /// <summary>r ← b − A x.</summary>
    protected void Residual(DeviceVector b, DeviceVector x, DeviceVector r)
    {
        if (Operator is IResidualOperator fused)
        {
            fused.Residual(b, x, r);
            return;
        }
        Operator.Apply(x, r);
        Device.Axpby(1, b, -1, r);
    }

    private double TrueResidualNorm(DeviceVector b, DeviceVector x)
    {
        Residual(b, x, _trueResidual);
        return Device.Norm2(_trueResidual);
    }

    private SolveResult Finish(StopReason reason, double relativeResidual, Stopwatch clock, string message = "")
    {
        string remark = SolveRemark;
        if (remark.Length > 0) message = message.Length == 0 ? remark : $"{message}; {remark}";
        return new(reason.IsConverged(), reason, Monitor.Iterations, relativeResidual, Monitor.HistorySnapshot(), clock.Elapsed, message);
    }

    /// <summary>
    /// What the method has to say about the whole solve, however it ended (how often it had to fall back, say), added to
    /// <see cref="SolveResult.Message"/>; empty for nothing. Read once, when the result is made.
    /// </summary>
    protected virtual string SolveRemark => "";

    /// <summary>
    /// r = b − Ax, recorded as the initial residual. Returns the reason to stop before the first iteration (NaN or
    /// infinity, or already converged), or null with ‖r‖ in <paramref name="norm"/>.
    /// </summary>
    protected StopReason? StartResidual(DeviceVector b, DeviceVector x, DeviceVector r, out double norm)
    {
        Residual(b, x, r);
        norm = Device.Norm2(r);
        Monitor.RecordInitial(norm);
        if (!double.IsFinite(norm)) return StopReason.NaNOrInfinity;
        if (Monitor.IsConverged(norm)) return StopReason.ConvergedRelative;
        return null;
    }

    /// <summary>
    /// The GMRES family's check after a restart, on the fresh residual norm <paramref name="next"/>: NaN, converged, or
    /// stagnated (the cycle reduced the norm from <paramref name="previous"/> by less than <see cref="StagnationFactor"/>);
    /// null to run another cycle.
    /// </summary>
    protected StopReason? AfterRestart(double next, double previous)
    {
        if (!double.IsFinite(next)) return StopReason.NaNOrInfinity;
        if (Monitor.IsConverged(next)) return StopReason.ConvergedRelative;
        if (next < StagnationFactor * previous) return null;
        StopDetail = CycleStagnated;
        return StopReason.Stagnation;
    }

    /// <summary>
    /// The start shared by the conjugate-direction methods: r = b − Ax (recorded), z = M r (z is r without M), p = z.
    /// Returns the reason to stop before the first iteration (converged, NaN, indefinite M), or null with rz = rᵀz.
    /// </summary>
    protected StopReason? StartConjugateDirections(DeviceVector b, DeviceVector x, DeviceVector r, DeviceVector z, DeviceVector p, out double rz)
    {
        rz = double.NaN;
        if (StartResidual(b, x, r, out double rNorm) is { } stop) return stop;
        rz = rNorm * rNorm;
        if (Preconditioner is not null)
        {
            Preconditioner.Apply(r, z);
            rz = Device.Dot(r, z);
            if (!double.IsFinite(rz)) return StopReason.NaNOrInfinity;
            if (rz <= 0) return StopReason.IndefinitePreconditioner;
        }
        Device.Copy(z, p);
        return null;
    }

    /// <summary>A workspace vector of the system's size, released with the solver.</summary>
    protected DeviceVector AllocateVector() => Own(Device.Allocate(Size));

    /// <summary>Workspace scalars on the device, released with the solver.</summary>
    protected DeviceScalars AllocateScalars(int count) => Own(Device.AllocateScalars(count));

    /// <summary>Registers a resource this solver created, to be disposed with it (in reverse order of registration).</summary>
    protected T Own<T>(T resource) where T : class, IDisposable
    {
        ArgumentNullException.ThrowIfNull(resource);
        _owned.Add(resource);
        return resource;
    }

    /// <summary>
    /// Releases the workspace. A second call does nothing; <see cref="Solve"/> afterwards throws
    /// <see cref="ObjectDisposedException"/>. The operator and preconditioner are the caller's and stay alive.
    /// </summary>
    /// <exception cref="InvalidOperationException">A solve is running on another thread.</exception>
    public void Dispose()
    {
        if (_disposed) return;
        if (Interlocked.CompareExchange(ref _solving, 1, 0) != 0)
            throw new InvalidOperationException("This solver cannot be disposed while it is solving on another thread.");
        _disposed = true;
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes what the solver registered with <see cref="Own{T}"/>; an override that holds more calls this base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing) return;
        for (int i = _owned.Count - 1; i >= 0; i--) _owned[i].Dispose();
        _owned.Clear();
    }

    /// <summary>Applies the preconditioner, or copies when there is none.</summary>
    protected void Precondition(DeviceVector r, DeviceVector z)
    {
        if (Preconditioner is null) Device.Copy(r, z);
        else Preconditioner.Apply(r, z);
    }
}
