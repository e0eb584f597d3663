namespace LearnedSolvers.Sequences;

/// <summary>How <see cref="RelaxationTuner"/> explores the ω grid.</summary>
public enum RelaxationStrategy
{
    /// <summary><see cref="UnimodalBandit"/>: exploits that iterations are unimodal in ω; explores locally. The default.</summary>
    Unimodal,

    /// <summary><see cref="TsallisInfBandit"/>, the paper's adversarial bandit: no structure assumed, slower to settle on a grid of 20.</summary>
    TsallisInf,
}

/// <summary>
/// Learning to Relax (Khodak, Chow, Balcan and Talwalkar, ICLR 2024): picks the SOR/SSOR relaxation factor ω for each
/// system of a sequence from a grid (default linspace(1, 1.95, 20) as in the paper), with iteration counts as the only
/// feedback. The paper's Tsallis-INF needs thousands of systems on a grid of 20; the default strategy uses the grid's
/// order (iterations are unimodal in ω) and settles within tens. For Tsallis-INF, costs are scaled into [0, 1] by
/// <see cref="IterationScale"/> (an upper bound such as the iteration limit; larger counts are clipped).
/// </summary>
public sealed class RelaxationTuner
{
    private readonly TsallisInfBandit? _tsallis;
    private readonly UnimodalBandit? _unimodal;
    private int _pending = -1;

    public RelaxationTuner(int iterationScale, IReadOnlyList<double>? omegas = null, int seed = 0, RelaxationStrategy strategy = RelaxationStrategy.Unimodal)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(iterationScale, 1);
        Omegas = (omegas ?? DefaultGrid()).ToArray();
        if (Omegas.Count == 0) throw new ArgumentException("The ω grid is empty.", nameof(omegas));
        foreach (double w in Omegas)
            if (!(w > 0 && w < 2)) throw new ArgumentOutOfRangeException(nameof(omegas), w, "Every ω must lie in (0, 2).");
        IterationScale = iterationScale;
        Strategy = strategy;
        if (strategy == RelaxationStrategy.TsallisInf) _tsallis = new TsallisInfBandit(Omegas.Count, seed);
        else _unimodal = new UnimodalBandit(Omegas.Count);
    }

    public RelaxationStrategy Strategy { get; }

    public IReadOnlyList<double> Omegas { get; }
    public int IterationScale { get; }

    /// <summary>The ω the tuner currently believes best: the unimodal leader, or Tsallis-INF's most likely arm.</summary>
    public double BestOmega => _unimodal is not null
        ? Omegas[_unimodal.Leader]
        : Omegas[_tsallis!.Probabilities.Select((p, i) => (p, i)).MaxBy(t => t.p).i];

    /// <summary>The ω to use for the next system.</summary>
    public double Next()
    {
        _pending = _unimodal?.Choose() ?? _tsallis!.Choose();
        return Omegas[_pending];
    }

    /// <summary>Reports how many iterations the system solved with the last <see cref="Next"/> ω took.</summary>
    public void Report(int iterations)
    {
        if (_pending < 0) throw new InvalidOperationException("Call Next before Report.");
        ArgumentOutOfRangeException.ThrowIfNegative(iterations);
        if (_unimodal is not null) _unimodal.Update(_pending, iterations);
        else _tsallis!.Update(_pending, Math.Min(1.0, (double)iterations / IterationScale));
        _pending = -1;
    }

    /// <summary>linspace(1, 1.95, 20), the paper's grid.</summary>
    public static double[] DefaultGrid() => Enumerable.Range(0, 20).Select(i => 1 + 0.05 * i).ToArray();
}
