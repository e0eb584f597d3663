using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Learned.Graph;

/// <summary>
/// The graph network written out plainly in double precision from its documented architecture (NeuralPCG's
/// encoder–processor–decoder), with no use of the library's kernels: an independent forward pass to compare ours
/// with, and to take finite differences of without float rounding. Parameters are read by their state_dict names;
/// a first layer over a concatenation is applied as one matrix [W_part1 | W_part2 | …] to the concatenated input, as
/// PyTorch's module would.
/// <list type="bullet">
/// <item>MLP = Linear → ReLU → Linear (→ LayerNorm over the features, biased variance, ε = 1e-5, γ, β).</item>
/// <item>Encoders: H_v = LN(MLP(node features)), H_e = LN(MLP(edge features)).</item>
/// <item>Step k: H_e += LN(MLP([H_e, H_v[row], H_v[column]])); a_v = Σ_{edges e with row v} H_e (updated);
/// H_v += LN(MLP([H_v, a_v])).</item>
/// <item>Decoder: Linear → ReLU → Linear to one value per edge.</item>
/// </list>
/// </summary>
internal static class GraphNetworkReference
{
    public const double Epsilon = 1e-5;

    /// <summary>
    /// Every parameter's name and shape in the order PyTorch's module would list them: node encoder, edge encoder,
    /// then per step the edge and node updates, then the decoder.
    /// </summary>
    public static IReadOnlyList<(string Name, int[] Shape)> Parameters(int nodeFeatures, int edgeFeatures, int hidden, int steps)
    {
        var list = new List<(string, int[])>();
        void Mlp(string name, (string Suffix, int Features)[] parts, int output, bool normalized)
        {
            for (int i = 0; i < parts.Length; i++)
            {
                list.Add(($"{name}.0{parts[i].Suffix}.weight", [hidden, parts[i].Features]));
                if (i == 0) list.Add(($"{name}.0{parts[i].Suffix}.bias", [hidden]));
            }
            list.Add(($"{name}.2.weight", [output, hidden]));
            list.Add(($"{name}.2.bias", [output]));
            if (normalized)
            {
                list.Add(($"{name}.3.weight", [output]));
                list.Add(($"{name}.3.bias", [output]));
            }
        }
        Mlp("encoder.node", [("", nodeFeatures)], hidden, true);
        Mlp("encoder.edge", [("", edgeFeatures)], hidden, true);
        for (int k = 0; k < steps; k++)
        {
            Mlp($"processor.{k}.edge", [(".edge", hidden), (".target", hidden), (".source", hidden)], hidden, true);
            if (k < steps - 1) Mlp($"processor.{k}.node", [(".node", hidden), (".aggregate", hidden)], hidden, true);
        }
        Mlp("decoder", [("", hidden)], 1, false);
        return list;
    }

    /// <summary>
    /// One value per stored entry of <paramref name="a"/>, in CSR order, for node features [V, nodeFeatures] and edge
    /// features [E, edgeFeatures] (row-major, flattened).
    /// </summary>
    public static double[] Forward(IReadOnlyDictionary<string, double[]> p, CsrMatrix a, double[] nodeInput, int nodeFeatures,
        double[] edgeInput, int edgeFeatures, int hidden, int steps)
    {
        int n = a.Rows, m = a.NonZeros;
        if (nodeInput.Length != n * nodeFeatures || edgeInput.Length != m * edgeFeatures) throw new ArgumentException("Feature lengths do not fit the graph.");
        var row = new int[m];
        var column = new int[m];
        for (int i = 0; i < n; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                row[k] = i;
                column[k] = a.ColumnIndices[k];
            }

        var hv = Mlp(p, "encoder.node", [""], "", Split(nodeInput, n, nodeFeatures), hidden, normalized: true);
        var he = Mlp(p, "encoder.edge", [""], "", Split(edgeInput, m, edgeFeatures), hidden, normalized: true);
        for (int step = 0; step < steps; step++)
        {
            var edgeIn = new double[m][];
            for (int e = 0; e < m; e++) edgeIn[e] = [.. he[e], .. hv[row[e]], .. hv[column[e]]];
            var edgeUpdate = Mlp(p, $"processor.{step}.edge", [".edge", ".target", ".source"], ".edge", edgeIn, hidden, normalized: true);
            for (int e = 0; e < m; e++)
                for (int f = 0; f < hidden; f++) he[e][f] += edgeUpdate[e][f];
            if (step == steps - 1) break; // the decoder reads edges only: the last step has no node update

            var aggregate = new double[n][];
            for (int v = 0; v < n; v++) aggregate[v] = new double[hidden];
            for (int e = 0; e < m; e++)
                for (int f = 0; f < hidden; f++) aggregate[row[e]][f] += he[e][f];
            var nodeIn = new double[n][];
            for (int v = 0; v < n; v++) nodeIn[v] = [.. hv[v], .. aggregate[v]];
            var nodeUpdate = Mlp(p, $"processor.{step}.node", [".node", ".aggregate"], ".node", nodeIn, hidden, normalized: true);
            for (int v = 0; v < n; v++)
                for (int f = 0; f < hidden; f++) hv[v][f] += nodeUpdate[v][f];
        }
        var output = Mlp(p, "decoder", [""], "", he, 1, normalized: false);
        return [.. output.Select(r => r[0])];
    }

    /// <summary>
    /// Linear → ReLU → Linear (→ LayerNorm) on each row; the first layer's weight is the parts' weights side by side
    /// ("name.0{part}.weight", each [hidden, part's features]) and its bias is "name.0{biasPart}.bias".
    /// </summary>
    private static double[][] Mlp(IReadOnlyDictionary<string, double[]> p, string name, string[] parts, string biasPart, double[][] x, int output, bool normalized)
    {
        int inputs = x.Length == 0 ? 0 : x[0].Length;
        var firstBias = p[$"{name}.0{biasPart}.bias"];
        int hidden = firstBias.Length;
        // The concatenated weight [hidden, inputs], row-major.
        var first = new double[hidden * inputs];
        int offset = 0;
        foreach (string part in parts)
        {
            var w = p[$"{name}.0{part}.weight"];
            int width = w.Length / hidden;
            for (int o = 0; o < hidden; o++)
                for (int c = 0; c < width; c++) first[o * inputs + offset + c] = w[o * width + c];
            offset += width;
        }
        if (x.Length > 0 && offset != inputs) throw new ArgumentException($"{name}: the parts take {offset} inputs; the rows have {inputs}.");
        var second = p[$"{name}.2.weight"];
        var secondBias = p[$"{name}.2.bias"];
        var result = new double[x.Length][];
        var active = new double[hidden];
        for (int r = 0; r < x.Length; r++)
        {
            for (int o = 0; o < hidden; o++)
            {
                double s = firstBias[o];
                for (int c = 0; c < inputs; c++) s += first[o * inputs + c] * x[r][c];
                active[o] = Math.Max(s, 0);
            }
            var y = new double[output];
            for (int o = 0; o < output; o++)
            {
                double s = secondBias[o];
                for (int c = 0; c < hidden; c++) s += second[o * hidden + c] * active[c];
                y[o] = s;
            }
            result[r] = normalized ? LayerNorm(y, p[$"{name}.3.weight"], p[$"{name}.3.bias"]) : y;
        }
        return result;
    }

    private static double[] LayerNorm(double[] x, double[] gamma, double[] beta)
    {
        double mean = x.Average();
        double variance = x.Select(v => (v - mean) * (v - mean)).Sum() / x.Length;
        double inverse = 1 / Math.Sqrt(variance + Epsilon);
        return [.. x.Select((v, i) => (v - mean) * inverse * gamma[i] + beta[i])];
    }

    private static double[][] Split(double[] values, int rows, int columns)
    {
        var result = new double[rows][];
        for (int r = 0; r < rows; r++) result[r] = values.AsSpan(r * columns, columns).ToArray();
        return result;
    }
}
