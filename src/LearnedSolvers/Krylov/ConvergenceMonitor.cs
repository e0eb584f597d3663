namespace LearnedSolvers.Krylov;

/// <summary>
/// Tracks one solve's iteration count and residual history in a buffer sized once per solver, so the
/// iteration loop allocates nothing. A method reports each residual norm it computes through <see cref="Record"/>.
/// </summary>
public sealed class ConvergenceMonitor
{
    private double[] _history = [];
    private int _historyCount;

    public SolverOptions Options { get; private set; } = SolverOptions.Default;

    /// <summary>‖b‖ (never zero while iterating: b = 0 is answered before the method runs).</summary>
    public double RhsNorm { get; private set; }

    /// <summary>max(rtol · ‖b‖, atol): the residual norm that counts as converged.</summary>
    public double Threshold { get; private set; }

    /// <summary>Iterations done so far in this solve (across restarts and residual replacements).</summary>
    public int Iterations { get; private set; }

    /// <summary>The last residual norm recorded.</summary>
    public double LastResidualNorm { get; private set; } = double.NaN;

    /// <summary>True once a residual norm exceeded <see cref="SolverOptions.DivergenceTolerance"/> times the initial one.</summary>
    public bool HasDiverged { get; private set; }

    /// <summary>Iterations the method may still take: none once the limit is reached or the iteration has diverged.</summary>
    public int IterationsLeft => HasDiverged ? 0 : Options.MaxIterations - Iterations;

    private double _divergenceThreshold;

    internal void Start(SolverOptions options, double rhsNorm)
    {
        Options = options;
        RhsNorm = rhsNorm;
        Threshold = Math.Max(options.RelativeTolerance * rhsNorm, options.AbsoluteTolerance);
        Iterations = 0;
        _historyCount = 0;
        LastResidualNorm = double.NaN;
        HasDiverged = false;
        _divergenceThreshold = double.NaN;
        int capacity = options.RecordHistory ? (int)Math.Min((long)options.MaxIterations + 8, 1 << 20) : 0;
        if (_history.Length < capacity) _history = new double[capacity];
    }

    /// <summary>True when ‖r‖ meets the tolerance.</summary>
    public bool IsConverged(double residualNorm) => residualNorm <= Threshold;

    /// <summary>
    /// Records the residual norm of the initial guess or of a fresh (true) residual. A fresh residual of an iterate
    /// already recorded (a restart from the true residual) replaces that iterate's recursive estimate, so the history
    /// keeps one entry per iterate: Iterations + 1 in all.
    /// </summary>
    public void RecordInitial(double residualNorm)
    {
        if (_historyCount > 0 && _historyCount == Iterations + 1) _historyCount--;
        Append(residualNorm);
    }

    /// <summary>Counts one iteration and records its residual norm.</summary>
    public void Record(double residualNorm)
    {
        Iterations++;
        Append(residualNorm);
    }

    private void Append(double residualNorm)
    {
        LastResidualNorm = residualNorm;
        if (double.IsNaN(_divergenceThreshold)) _divergenceThreshold = Options.DivergenceTolerance * Math.Max(RhsNorm, residualNorm);
        else if (residualNorm > _divergenceThreshold) HasDiverged = true;
        if (_historyCount < _history.Length) _history[_historyCount++] = residualNorm / RhsNorm;
    }

    internal double[] HistorySnapshot() => _history.AsSpan(0, _historyCount).ToArray();
}
