using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Graph;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// A graph network that predicts a preconditioner's factor on an SPD matrix's lower pattern (see
/// <see cref="LearnedFactorKind"/>): the inference for a new matrix (<see cref="PredictFactor(CsrMatrix)"/>,
/// <see cref="PredictInverseFactor(CsrMatrix)"/>) and the loss and its gradient for training (<see cref="AccumulateGradient"/>).
/// The network works on the unit-diagonal Ã = S⁻¹ A S⁻¹ (<see cref="ScaledMatrix"/>) and sees only local features of
/// the graph, so one model serves any grid size and any matrix scale of its family. Diagonals are positive by
/// construction (exp of the network's output), so L Lᵀ and Gᵀ G are SPD. A model keeps buffers for the last pattern it
/// saw and serves one call at a time.
/// </summary>
public sealed class LearnedFactorModel : IDisposable
{
    /// <summary>α's starting value: the correction starts small beside the base factor.</summary>
    public const float InitialAlpha = 0.01f;

    // exp(±20) keeps a diagonal finite and positive whatever the network outputs.
    private const double ExponentLimit = 20;

    private readonly FactorLossWorkspace _lossWork = new();
    private readonly float[] _alpha = new float[1];
    private CholeskyFactorPattern? _pattern, _basePattern;
    private MatrixGraph? _graph;
    private DeviceBuffer<float>? _nodes, _edges, _dOutput;
    private float[] _nodeHost = [], _edgeHost = [], _outputHost = [], _dOutputHost = [];
    private double[] _scaledX = [], _scaledB = [], _factorGradient = [];
    private double[]? _baseValues;

    /// <param name="device">Where the network runs.</param>
    /// <param name="kind">What it predicts.</param>
    /// <param name="hidden">Latent features (NeuralPCG: 16).</param>
    /// <param name="steps">Message-passing steps (NeuralPCG: 5).</param>
    /// <param name="seed">Fixes the initial parameters.</param>
    public LearnedFactorModel(Device device, LearnedFactorKind kind, int hidden = 16, int steps = 5, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!Enum.IsDefined(kind)) throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown learned factor kind.");
        Kind = kind;
        Network = new GraphNetwork(device, FactorFeatures.NodeCount, FactorFeatures.EdgeCount, hidden, steps, seed);
        if (kind != LearnedFactorKind.NeuralPcg)
        {
            Alpha = new Parameter(device, "alpha", new Shape(1));
            Alpha.Value.CopyFrom([InitialAlpha]);
        }
        Parameters = Alpha is null ? Network.Parameters : [.. Network.Parameters, Alpha];
    }

    public LearnedFactorKind Kind { get; }
    public GraphNetwork Network { get; }
    public Device Device => Network.Device;

    /// <summary>The correction's scale (PreCorrector and learned FSAI); null for NeuralPCG.</summary>
    public Parameter? Alpha { get; }

    /// <summary>Every trained tensor: the network's, then α.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The name errors are reported under.</summary>
    public string Name => LearnedFactorModelFile.KindName(Kind);

    /// <summary>The factor L (M⁻¹ = L Lᵀ, mirrored into Lᵀ) predicted for <paramref name="a"/>; NeuralPCG and PreCorrector.</summary>
    /// <exception cref="ZeroPivotException">A diagonal entry of A is missing or not positive, or IC(0) of A fails at every shift.</exception>
    public CholeskyFactorPattern PredictFactor(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var factor = new CholeskyFactorPattern(a, Name);
        PredictFactor(a, factor);
        return factor;
    }

    /// <summary>
    /// The factor for <paramref name="a"/> written into <paramref name="factor"/> (L and Lᵀ), which must be on A's lower
    /// pattern: for new values on the same pattern without new arrays.
    /// </summary>
    public void PredictFactor(CsrMatrix a, CholeskyFactorPattern factor)
    {
        ArgumentNullException.ThrowIfNull(factor);
        if (Kind == LearnedFactorKind.LearnedFsai) throw new InvalidOperationException("A learned FSAI model predicts a sparse inverse factor: use PredictInverseFactor.");
        var (scaled, lower) = Evaluate(a);
        if (factor.Lower.Length != lower.Length) throw new ArgumentException("The factor is not on the matrix's lower pattern.", nameof(factor));
        var rows = factor.Factor.Lower.RowPointers;
        for (int i = 0; i < a.Rows; i++)
            for (int p = rows[i]; p < rows[i + 1]; p++) factor.Lower[p] = scaled.Scale[i] * lower[p];
        factor.MirrorLower();
    }

    /// <summary>
    /// G (M = Gᵀ G) predicted for <paramref name="a"/> on its lower pattern, as a CSR matrix; learned FSAI only.
    /// </summary>
    public CsrMatrix PredictInverseFactor(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var pattern = PatternFor(a).Factor.Lower;
        var g = new CsrMatrix(a.Rows, a.Rows, (int[])pattern.RowPointers.Clone(), (int[])pattern.ColumnIndices.Clone(), new double[pattern.NonZeros]);
        PredictInverseFactor(a, g);
        return g;
    }

    /// <summary>G for <paramref name="a"/> written into the values of <paramref name="g"/>, which must be on A's lower pattern.</summary>
    public void PredictInverseFactor(CsrMatrix a, CsrMatrix g)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (Kind != LearnedFactorKind.LearnedFsai) throw new InvalidOperationException($"A {Name} model predicts a triangular factor: use PredictFactor.");
        var (scaled, lower) = Evaluate(a);
        if (g.NonZeros != lower.Length) throw new ArgumentException("G is not on the matrix's lower pattern.", nameof(g));
        var columns = g.ColumnIndices;
        for (int p = 0; p < lower.Length; p++) g.Values[p] = lower[p] / scaled.Scale[columns[p]];
    }

    /// <summary>The training loss (<see cref="FactorLoss"/>) on the pair (x, b), Ax = b, without gradients.</summary>
    public double Loss(CsrMatrix a, ReadOnlySpan<double> b, ReadOnlySpan<double> x)
    {
        var (scaled, lower) = Evaluate(a);
        return LossAndFactorGradient(scaled, lower, b, x);
    }

    /// <summary>
    /// Adds <paramref name="weight"/> times the gradient of the loss on (x, b) to every parameter's gradient and returns
    /// the loss.
    /// </summary>
    public double AccumulateGradient(CsrMatrix a, ReadOnlySpan<double> b, ReadOnlySpan<double> x, double weight = 1)
    {
        var (scaled, lower) = Evaluate(a, forBackward: true);
        double loss = LossAndFactorGradient(scaled, lower, b, x);
        var pattern = _pattern!;
        var rows = pattern.Factor.Lower.RowPointers;
        var source = pattern.SourceEntry;
        double alpha = _alpha[0], dAlpha = 0;
        Array.Clear(_dOutputHost);
        for (int i = 0; i < a.Rows; i++)
        {
            int diagonal = rows[i + 1] - 1;
            for (int p = rows[i]; p <= diagonal; p++)
            {
                int e = source[p];
                double o = _outputHost[e], g = weight * _factorGradient[p];
                if (Kind == LearnedFactorKind.NeuralPcg)
                {
                    _dOutputHost[e] = (float)(p == diagonal ? (Math.Abs(o) < ExponentLimit ? g * lower[p] : 0) : g);
                }
                else if (p == diagonal)
                {
                    bool inside = Math.Abs(alpha * o) < ExponentLimit;
                    _dOutputHost[e] = (float)(inside ? g * lower[p] * alpha : 0);
                    if (inside) dAlpha += g * lower[p] * o;
                }
                else
                {
                    _dOutputHost[e] = (float)(g * alpha);
                    dAlpha += g * o;
                }
            }
        }
        _dOutput!.CopyFrom(_dOutputHost);
        Network.Backward(_dOutput);
        if (Alpha is not null)
        {
            Alpha.Gradient.CopyTo(_alpha);
            _alpha[0] += (float)dAlpha;
            Alpha.Gradient.CopyFrom(_alpha);
        }
        return loss;
    }

    /// <summary>Features, forward pass and head: L̃ (or G̃) of Ã on the lower pattern.</summary>
    private (ScaledMatrix Scaled, double[] Lower) Evaluate(CsrMatrix a, bool forBackward = false)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"{Name} needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException($"{Name} needs a symmetric positive definite matrix; this one is not symmetric.", nameof(a));
        var scaled = new ScaledMatrix(a, Name);
        var pattern = PatternFor(a);
        var rows = pattern.Factor.Lower.RowPointers;
        var source = pattern.SourceEntry;
        _baseValues = BaseFactor(scaled.Matrix, pattern);
        FactorFeatures.Compute(scaled.Matrix, _baseValues, rows, source, _nodeHost, _edgeHost);
        _nodes!.CopyFrom(_nodeHost);
        _edges!.CopyFrom(_edgeHost);
        Network.Forward(_graph!, _nodes, _edges, forBackward).CopyTo(_outputHost);
        if (Alpha is not null) Alpha.Value.CopyTo(_alpha);
        double alpha = _alpha[0];
        var lower = pattern.Lower; // the training pattern's values hold the scaled factor
        for (int i = 0; i < a.Rows; i++)
        {
            int diagonal = rows[i + 1] - 1;
            for (int p = rows[i]; p <= diagonal; p++)
            {
                double o = _outputHost[source[p]];
                lower[p] = Kind == LearnedFactorKind.NeuralPcg
                    ? (p == diagonal ? Math.Exp(Math.Clamp(o, -ExponentLimit, ExponentLimit)) : o)
                    : (p == diagonal ? _baseValues![p] * Math.Exp(Math.Clamp(alpha * o, -ExponentLimit, ExponentLimit)) : _baseValues![p] + alpha * o);
            }
        }
        return (scaled, lower);
    }

    private double LossAndFactorGradient(ScaledMatrix scaled, double[] lower, ReadOnlySpan<double> b, ReadOnlySpan<double> x)
    {
        int n = scaled.Scale.Length;
        if (b.Length != n) throw new ArgumentException($"b has {b.Length} entries; the matrix has {n} rows.", nameof(b));
        if (x.Length != n) throw new ArgumentException($"x has {x.Length} entries; the matrix has {n} rows.", nameof(x));
        for (int i = 0; i < n; i++)
        {
            _scaledX[i] = scaled.Scale[i] * x[i];
            _scaledB[i] = b[i] / scaled.Scale[i];
        }
        var l = _pattern!.Factor.Lower;
        return Kind == LearnedFactorKind.LearnedFsai
            ? FactorLoss.Inverse(l.RowPointers, l.ColumnIndices, lower, _scaledX, _scaledB, _factorGradient, _lossWork)
            : FactorLoss.Factor(l.RowPointers, l.ColumnIndices, lower, _scaledX, _scaledB, _factorGradient, _lossWork);
    }

    /// <summary>The base factor of Ã on the lower pattern: IC(0) (PreCorrector), FSAI (learned FSAI), none (NeuralPCG).</summary>
    private double[]? BaseFactor(CsrMatrix scaled, CholeskyFactorPattern pattern)
    {
        switch (Kind)
        {
            case LearnedFactorKind.PreCorrector:
                IncompleteCholesky0.FactorInto(scaled, _basePattern!);
                return _basePattern!.Lower;
            case LearnedFactorKind.LearnedFsai:
                return InverseFactorBase(scaled, pattern);
            default:
                return null;
        }
    }

    /// <summary>Classical FSAI's G̃ of Ã on A's lower pattern (the same rows and columns as <paramref name="pattern"/>).</summary>
    private static double[] InverseFactorBase(CsrMatrix scaled, CholeskyFactorPattern pattern)
    {
        var g = FactorizedSparseInverse.Compute(scaled).G;
        if (!g.ColumnIndices.AsSpan(0, g.NonZeros).SequenceEqual(pattern.Factor.Lower.ColumnIndices) || !g.RowPointers.AsSpan().SequenceEqual(pattern.Factor.Lower.RowPointers))
            throw new InvalidOperationException("FSAI's pattern of power 1 differs from A's lower pattern.");
        return (double[])g.Values.Clone();
    }

    /// <summary>The lower pattern, graph and buffers for <paramref name="a"/>'s pattern (kept while the pattern repeats).</summary>
    private CholeskyFactorPattern PatternFor(CsrMatrix a)
    {
        if (_pattern is not null && _graph!.Serves(a)) return _pattern;
        _graph?.Dispose();
        _nodes?.Dispose();
        _edges?.Dispose();
        _dOutput?.Dispose();
        (_graph, _nodes, _edges, _dOutput, _pattern, _basePattern) = (null, null, null, null, null, null);
        var pattern = new CholeskyFactorPattern(a, Name);
        _basePattern = Kind == LearnedFactorKind.PreCorrector ? new CholeskyFactorPattern(a, Name) : null;
        _graph = new MatrixGraph(a, Device);
        _nodes = Device.Allocate<float>(new Shape(a.Rows, FactorFeatures.NodeCount));
        _edges = Device.Allocate<float>(new Shape(a.NonZeros, FactorFeatures.EdgeCount));
        _dOutput = Device.Allocate<float>(new Shape(a.NonZeros, 1));
        _nodeHost = new float[_nodes.Length];
        _edgeHost = new float[_edges.Length];
        _outputHost = new float[a.NonZeros];
        _dOutputHost = new float[a.NonZeros];
        _scaledX = new double[a.Rows];
        _scaledB = new double[a.Rows];
        _factorGradient = new double[pattern.Lower.Length];
        _pattern = pattern;
        return pattern;
    }

    public void Dispose()
    {
        Network.Dispose();
        Alpha?.Dispose();
        _graph?.Dispose();
        _nodes?.Dispose();
        _edges?.Dispose();
        _dOutput?.Dispose();
    }
}
