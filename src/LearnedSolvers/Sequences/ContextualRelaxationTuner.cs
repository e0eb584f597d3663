namespace LearnedSolvers.Sequences;

/// <summary>
/// The contextual variant of Learning to Relax: a per-instance feature c (e.g. the diagonal shift of A + cI) is
/// binned, and each bin runs its own <see cref="RelaxationTuner"/>, so systems that want different ω learn apart.
/// </summary>
public sealed class ContextualRelaxationTuner
{
    private readonly double[] _edges;
    private readonly RelaxationTuner[] _tuners;
    private int _pendingBin = -1;

    /// <param name="binEdges">Sorted interior edges: k edges make k + 1 bins ((−∞, e₀), [e₀, e₁), …, [e_{k−1}, ∞)).</param>
    /// <param name="iterationScale">Iteration count that maps to loss 1 (see <see cref="RelaxationTuner.IterationScale"/>).</param>
    /// <param name="omegas">The ω grid; the paper's by default.</param>
    /// <param name="seed">Seeds the bins' bandits (each bin its own stream).</param>
    /// <param name="strategy">How each bin explores.</param>
    public ContextualRelaxationTuner(IReadOnlyList<double> binEdges, int iterationScale, IReadOnlyList<double>? omegas = null, int seed = 0,
        RelaxationStrategy strategy = RelaxationStrategy.Unimodal)
    {
        ArgumentNullException.ThrowIfNull(binEdges);
        _edges = binEdges.ToArray();
        for (int i = 0; i < _edges.Length; i++)
        {
            if (!double.IsFinite(_edges[i])) throw new ArgumentOutOfRangeException(nameof(binEdges), _edges[i], "Bin edges must be finite.");
            if (i > 0 && _edges[i] <= _edges[i - 1]) throw new ArgumentException("Bin edges must increase strictly.", nameof(binEdges));
        }
        _tuners = Enumerable.Range(0, _edges.Length + 1).Select(b => new RelaxationTuner(iterationScale, omegas, seed + 7919 * b, strategy)).ToArray();
    }

    public int Bins => _tuners.Length;

    /// <summary>The bin that context <paramref name="context"/> falls into.</summary>
    public int BinOf(double context)
    {
        if (!double.IsFinite(context)) throw new ArgumentOutOfRangeException(nameof(context), context, "The context must be finite.");
        int bin = 0;
        while (bin < _edges.Length && context >= _edges[bin]) bin++;
        return bin;
    }

    /// <summary>The ω for a system with this context.</summary>
    public double Next(double context)
    {
        _pendingBin = BinOf(context);
        return _tuners[_pendingBin].Next();
    }

    /// <summary>Reports the iterations of the last system.</summary>
    public void Report(int iterations)
    {
        if (_pendingBin < 0) throw new InvalidOperationException("Call Next before Report.");
        _tuners[_pendingBin].Report(iterations);
        _pendingBin = -1;
    }
}
