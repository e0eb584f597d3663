using System.Diagnostics;
using System.Text;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse.Orderings;

namespace LearnedSolvers.Auto;

/// <summary>
/// Solves with whatever works: reads cheap properties of A (<see cref="MatrixProperties"/>), orders the methods that
/// suit them (<see cref="AutoPlan"/>), and tries them in turn, setting each up only when it is reached, until one
/// meets the tolerance on the original system's true residual ‖b − Ax‖/‖b‖. A method that fails in setup (a zero
/// pivot, factors too large, a singular matrix) or stalls passes the solve on to the next. The method that succeeded
/// is kept and tried first for the next right-hand side. <see cref="Attempts"/> says what was tried in order, why, and
/// how it ended; <see cref="SolveResult.Message"/> repeats it in one line.
/// <para>Threads: one solve at a time (a concurrent <see cref="Solve"/> throws <see cref="InvalidOperationException"/>).</para>
/// </summary>
public sealed class AutoSolver : ILinearSolver
{
    /// <summary>Times a solve on a transformed system is resumed with a tighter tolerance when A's residual still misses it.</summary>
    private const int MaxTightenings = 3;

    private readonly DeviceCsrMatrix _a;
    private readonly AutoCandidate?[] _candidates;
    private readonly string?[] _setupErrors;
    private readonly TimeSpan[] _setupTimes;
    private readonly double[] _b, _x, _best, _r, _guess;
    private readonly List<AutoAttempt> _attempts = [];
    private FactorEstimate? _lateEstimate;
    private int _first;
    private int _solving;
    private bool _disposed;

    /// <param name="a">A square matrix on any device; iterative attempts run there, the direct one on the host.</param>
    /// <param name="options">Tolerances and budgets (defaults when null).</param>
    public AutoSolver(DeviceCsrMatrix a, AutoSolverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        AutoOptions = options ?? new AutoSolverOptions();
        AutoOptions.Validate();
        _a = a;
        Properties = MatrixProperties.Of(a.Host);
        Estimate = a.Rows <= AutoOptions.DirectFirstRows ? FactorEstimate.Of(a.Host) : null;
        Plan = AutoPlan.For(Properties, AutoOptions, Estimate);
        _candidates = new AutoCandidate?[Plan.Count];
        _setupErrors = new string?[Plan.Count];
        _setupTimes = new TimeSpan[Plan.Count];
        int n = a.Rows;
        _b = new double[n];
        _x = new double[n];
        _best = new double[n];
        _r = new double[n];
        _guess = new double[n];
    }

    public ILinearOperator Operator => _a;
    public SolverOptions Options => AutoOptions.Solver;
    public AutoSolverOptions AutoOptions { get; }

    /// <summary>What the choice was made from.</summary>
    public MatrixProperties Properties { get; }

    /// <summary>The direct factorization's estimated cost; null above <see cref="AutoSolverOptions.DirectFirstRows"/> rows.</summary>
    public FactorEstimate? Estimate { get; }

    /// <summary>The strategies in the order they are tried.</summary>
    public IReadOnlyList<AutoStrategy> Plan { get; }

    /// <summary>What the last solve tried, in order.</summary>
    public IReadOnlyList<AutoAttempt> Attempts => _attempts;

    /// <summary>The strategy that solved last time (tried first next time); null before a solve succeeds.</summary>
    public AutoStrategy? Choice { get; private set; }

    /// <summary>
    /// Solves A x = b; <paramref name="x"/> holds the initial guess. Iterations and the history are those of the
    /// attempt that is reported (the successful one, else the one that came closest); the message lists every attempt.
    /// </summary>
    public SolveResult Solve(DeviceVector b, DeviceVector x)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _a.Device.Check(b, _a.Rows, nameof(b));
        _a.Device.Check(x, _a.Rows, nameof(x));
        if (ReferenceEquals(b, x)) throw new ArgumentException("b and x must be different vectors.", nameof(x));
        if (Interlocked.CompareExchange(ref _solving, 1, 0) != 0)
            throw new InvalidOperationException("This solver is already solving on another thread; create one solver per thread.");
        try
        {
            b.CopyTo(_b);
            x.CopyTo(_x);
            var result = SolveHost();
            x.CopyFrom(_best);
            return result;
        }
        finally
        {
            Volatile.Write(ref _solving, 0);
        }
    }

    private SolveResult SolveHost()
    {
        var clock = Stopwatch.StartNew();
        _attempts.Clear();
        double bNorm = Norm(_b);
        if (!double.IsFinite(bNorm))
        {
            _x.AsSpan().CopyTo(_best);
            return new SolveResult(false, StopReason.NaNOrInfinity, 0, double.NaN, [], clock.Elapsed, "b contains NaN or infinity");
        }
        if (bNorm == 0)
        {
            // The unique solution of A x = 0 for nonsingular A; no method needs to run.
            Array.Clear(_best);
            return new SolveResult(true, StopReason.ConvergedRelative, 0, 0, [0.0], clock.Elapsed, "auto: b = 0, so x = 0");
        }
        var guess = _guess;
        _x.AsSpan().CopyTo(guess);
        SolveResult? best = null;
        double bestResidual = double.PositiveInfinity;
        var attemptOptions = AutoOptions.Solver with { MaxIterations = Math.Min(AutoOptions.IterationsPerAttempt, AutoOptions.Solver.MaxIterations) };
        foreach (int i in Order())
        {
            var candidate = SetUp(i);
            if (candidate is null)
            {
                _attempts.Add(new AutoAttempt(Plan[i], null, _setupErrors[i], _setupTimes[i]));
                continue;
            }
            guess.AsSpan().CopyTo(_x);
            var inner = candidate.Solve(_b, _x, attemptOptions);
            double residual = TrueResidual(_x, bNorm);
            bool met = double.IsFinite(residual) && Meets(residual, bNorm);
            for (int retry = 0; retry < MaxTightenings && !met && inner.Converged && double.IsFinite(residual) && inner.RelativeResidual > 0; retry++)
            {
                // Converged on the transformed (row-scaled) system but not on A: ask the transformed residual to fall by
                // the gap seen, and go on from x.
                double target = AutoOptions.Solver.RelativeTolerance;
                var tighter = attemptOptions with { RelativeTolerance = Math.Max(1e-15, 0.5 * inner.RelativeResidual * target / residual), AbsoluteTolerance = 0 };
                if (tighter.RelativeTolerance <= 1e-15 && retry > 0) break;
                var resumed = candidate.Solve(_b, _x, tighter);
                inner = resumed with
                {
                    Iterations = inner.Iterations + resumed.Iterations,
                    ResidualHistory = [.. inner.ResidualHistory, .. resumed.ResidualHistory.Skip(1)], // its first entry is where inner ended
                    Elapsed = inner.Elapsed + resumed.Elapsed,
                };
                residual = TrueResidual(_x, bNorm);
                met = double.IsFinite(residual) && Meets(residual, bNorm);
            }
            var reason = met ? (residual <= AutoOptions.Solver.RelativeTolerance ? StopReason.ConvergedRelative : StopReason.ConvergedAbsolute)
                : inner.Converged ? StopReason.Stagnation : inner.Reason;
            var outcome = inner with { Converged = met, Reason = reason, RelativeResidual = residual };
            _attempts.Add(new AutoAttempt(Plan[i], outcome, null, _setupTimes[i]));
            if (met || best is null || residual < bestResidual)
            {
                best = outcome;
                bestResidual = double.IsFinite(residual) ? residual : double.PositiveInfinity;
                _x.AsSpan().CopyTo(_best);
            }
            if (met)
            {
                Choice = Plan[i];
                _first = i;
                break;
            }
        }
        // A factorization that proved A singular outranks an iteration that merely ran out: say so, keep the closest x.
        bool singular = _attempts.Any(t => t.Result?.Reason == StopReason.Singular);
        if (best is null)
        {
            guess.AsSpan().CopyTo(_best);
            return new SolveResult(false, singular ? StopReason.Singular : StopReason.Breakdown, 0, double.NaN, [], clock.Elapsed, Summary());
        }
        return best with
        {
            Reason = !best.Converged && singular ? StopReason.Singular : best.Reason,
            Elapsed = clock.Elapsed,
            Message = Summary(),
        };
    }

    /// <summary>The plan's indices, the last successful strategy first.</summary>
    private IEnumerable<int> Order()
    {
        yield return _first;
        for (int i = 0; i < Plan.Count; i++)
            if (i != _first) yield return i;
    }

    /// <summary>The candidate for plan entry <paramref name="i"/>, set up on first use; null when its setup failed (the error is kept).</summary>
    private AutoCandidate? SetUp(int i)
    {
        if (_candidates[i] is not null || _setupErrors[i] is not null) return _candidates[i];
        var clock = Stopwatch.StartNew();
        try
        {
            if (Plan[i].Kind == AutoStrategyKind.Direct && TooCostlyToFactor() is { } why)
                _setupErrors[i] = why;
            else
                _candidates[i] = AutoCandidates.Create(Plan[i].Kind, _a, AutoOptions);
        }
        // ArgumentException: a setup that refuses this matrix (ILUTP on a zero row); the next strategy may still take it.
        catch (Exception e) when (e is ZeroPivotException or SingularMatrixException or FactorMemoryException or StructurallySingularException
            or UnsupportedDeviceException or ArgumentException)
        {
            _setupErrors[i] = e.Message;
        }
        _setupTimes[i] = clock.Elapsed;
        return _candidates[i];
    }

    /// <summary>Why the factorization is not worth trying (its estimated work above the cap), or null.</summary>
    private string? TooCostlyToFactor()
    {
        _lateEstimate ??= Estimate ?? FactorEstimate.Of(_a.Host);
        return _lateEstimate.CholeskyFlops > AutoOptions.DirectMaxFlops
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"the factorization would take about {_lateEstimate.CholeskyFlops:G2} flops (above DirectMaxFlops {AutoOptions.DirectMaxFlops:G2}) and {MemoryBudget.Format(_lateEstimate.LuBytes)}")
            : null;
    }

    private bool Meets(double relative, double bNorm) =>
        relative <= AutoOptions.Solver.RelativeTolerance || relative * bNorm <= AutoOptions.Solver.AbsoluteTolerance;

    private double TrueResidual(double[] x, double bNorm)
    {
        _a.Host.ResidualRows(0, _a.Rows, x, _b, _r);
        return Norm(_r) / bNorm;
    }

    private static double Norm(ReadOnlySpan<double> v)
    {
        double s = 0;
        foreach (double e in v) s += e * e;
        return Math.Sqrt(s);
    }

    /// <summary>"auto: tried direct (…): setup failed: …; then amg-pcg (…): converged …; chose amg-pcg".</summary>
    private string Summary()
    {
        var text = new StringBuilder("auto: ");
        for (int k = 0; k < _attempts.Count; k++)
        {
            if (k > 0) text.Append("; then ");
            text.Append(_attempts[k]);
        }
        text.Append(Choice is not null && _attempts.Count > 0 && _attempts[^1].Succeeded ? $"; chose {Choice.Name}" : "; none reached the tolerance");
        return text.ToString();
    }

    /// <summary>Frees every strategy's setup (factors, hierarchies, device vectors); not the matrix.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var c in _candidates) c?.Dispose();
    }
}
