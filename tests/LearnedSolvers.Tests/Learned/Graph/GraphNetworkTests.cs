using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Graph;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Learned.Graph;

/// <summary>
/// The graph network against a plain double-precision network written from its documented architecture
/// (<see cref="GraphNetworkReference"/>): the forward pass on small random graphs, the backward pass against central
/// differences of that reference, accumulation and determinism, agreement between devices, argument checks, a warm
/// pass that allocates nothing, re-sizing; and the matrix graph's index arrays. Written once; subclasses pick the device.
/// </summary>
public abstract class GraphNetworkTests
{
    private const int NodeFeatures = 3;
    private const int EdgeFeatures = 2;

    protected abstract Device Device { get; }

    /// <summary>ILGPU's CPU accelerator allocates a task per launch, so the allocation check is left to the others.</summary>
    protected virtual bool Simulated => false;

    /// <summary>A device this one is not: the CPU device, or ILGPU's CPU accelerator for the CPU device itself.</summary>
    private Device OtherDevice => Device == Device.Cpu ? Device.IlgpuCpu() : Device.Cpu;

    // ---------------------------------------------------------------- parameters

    [Fact]
    public void Parameters_HaveTheModulesNamesAndShapes_InOrder_AndPyTorchsInitialization()
    {
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 2, seed: 1);
        var expected = GraphNetworkReference.Parameters(NodeFeatures, EdgeFeatures, 4, 2);
        Assert.Equal(expected.Select(e => e.Name), net.Parameters.Select(p => p.Name));
        for (int i = 0; i < expected.Count; i++) Assert.Equal(new Shape(expected[i].Shape), net.Parameters[i].Shape);
        Assert.Equal(expected.Sum(e => e.Shape.Aggregate(1, (a, b) => a * b)), net.ParameterCount);

        var values = Values(net);
        Assert.All(values.Where(v => v.Key.EndsWith(".3.weight", StringComparison.Ordinal)), v => Assert.All(v.Value, x => Assert.Equal(1.0, x)));
        Assert.All(values.Where(v => v.Key.EndsWith(".3.bias", StringComparison.Ordinal)), v => Assert.All(v.Value, x => Assert.Equal(0.0, x)));
        // A first layer over [e, h_target, h_source] has fan-in 3·hidden in every part; over [h, a], 2·hidden.
        AssertBound(values["processor.1.edge.0.target.weight"], 1 / Math.Sqrt(12));
        AssertBound(values["processor.1.edge.0.edge.bias"], 1 / Math.Sqrt(12));
        AssertBound(values["processor.0.node.0.aggregate.weight"], 1 / Math.Sqrt(8));
        AssertBound(values["encoder.node.0.weight"], 1 / Math.Sqrt(NodeFeatures));
        AssertBound(values["decoder.2.weight"], 1 / Math.Sqrt(4));
        Assert.Contains(values["processor.1.edge.0.target.weight"], x => Math.Abs(x) > 0.5 / Math.Sqrt(12));

        static void AssertBound(double[] v, double bound) => Assert.All(v, x => Assert.True(Math.Abs(x) <= bound * (1 + 1e-6), $"{x} exceeds ±{bound}"));
    }

    [Fact]
    public void SameSeed_SameParameters_OtherSeed_Others()
    {
        using var a = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 1, seed: 5);
        using var b = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 1, seed: 5);
        using var c = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 1, seed: 6);
        for (int i = 0; i < a.Parameters.Count; i++) Assert.Equal(a.Parameters[i].Value.ToArray(), b.Parameters[i].Value.ToArray());
        Assert.NotEqual(a.Parameters[0].Value.ToArray(), c.Parameters[0].Value.ToArray());
    }

    [Fact]
    public void Constructor_RefusesEmptySizes()
    {
        Assert.Equal("nodeFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new GraphNetwork(Device, 0, 1)).ParamName);
        Assert.Equal("edgeFeatures", Assert.Throws<ArgumentOutOfRangeException>(() => new GraphNetwork(Device, 1, 0)).ParamName);
        Assert.Equal("hidden", Assert.Throws<ArgumentOutOfRangeException>(() => new GraphNetwork(Device, 1, 1, hidden: 0)).ParamName);
        Assert.Equal("steps", Assert.Throws<ArgumentOutOfRangeException>(() => new GraphNetwork(Device, 1, 1, steps: -1)).ParamName);
    }

    // ---------------------------------------------------------------- forward

    /// <summary>Random symmetric patterns with a full diagonal (row n/2 holds only its diagonal), and one unsymmetric pattern with an empty row.</summary>
    [Theory]
    [InlineData(1, 0, 4)]
    [InlineData(1, 3, 16)]
    [InlineData(7, 0, 16)]
    [InlineData(7, 1, 4)]
    [InlineData(7, 3, 16)]
    [InlineData(23, 1, 16)]
    [InlineData(23, 3, 4)]
    [InlineData(23, 3, 16)]
    [InlineData(-9, 2, 4)]
    public void Forward_MatchesTheDoubleReference(int n, int steps, int hidden)
    {
        var a = n > 0 ? SymmetricPattern(n, seed: n + steps) : UnsymmetricPattern(-n, seed: 3);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden, steps, seed: 11);
        Perturb(net, seed: 12);
        using var graph = new MatrixGraph(a, Device);
        var (nodes, edges) = Features(a, seed: 13);
        using var dNodes = Device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
        using var dEdges = Device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));

        var output = net.Forward(graph, dNodes, dEdges);
        Assert.Equal(new Shape(a.NonZeros, 1), output.Shape);
        var reference = Reference(net, a, nodes, edges);
        TestContext.Current.TestOutputHelper?.WriteLine($"largest difference {Difference(reference, Doubles(output.ToArray())):E2} of the largest value");
        AssertClose(reference, Doubles(output.ToArray()), 1e-4, $"output (n {a.Rows}, {a.NonZeros} edges, {steps} steps, hidden {hidden})");
    }

    [Fact]
    public void AnotherGraphSize_ReSizes_AndStillMatchesTheReference_AndGivesAFreshNetworksGradients()
    {
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 2, seed: 21);
        Perturb(net, seed: 22);
        var patterns = new[] { SymmetricPattern(7, 1), SymmetricPattern(23, 2), UnsymmetricPattern(9, 3), SymmetricPattern(7, 4) };
        foreach (var a in patterns)
        {
            using var graph = new MatrixGraph(a, Device);
            var (nodes, edges) = Features(a, seed: a.NonZeros);
            using var dNodes = Device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
            using var dEdges = Device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));
            using var dOut = Device.Upload<float>(Floats(a.NonZeros, 5), new Shape(a.NonZeros, 1));
            ZeroGradients(net);
            var output = net.Forward(graph, dNodes, dEdges);
            AssertClose(Reference(net, a, nodes, edges), Doubles(output.ToArray()), 1e-4, $"output on {a}");
            net.Backward(dOut);

            using var fresh = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 2, seed: 21);
            Perturb(fresh, seed: 22);
            ZeroGradients(fresh);
            fresh.Forward(graph, dNodes, dEdges);
            fresh.Backward(dOut);
            for (int i = 0; i < net.Parameters.Count; i++)
                AssertBitwiseEqual(fresh.Parameters[i].Gradient.ToArray(), net.Parameters[i].Gradient.ToArray(), $"{net.Parameters[i].Name}'s gradient on {a}");
        }
    }

    // ---------------------------------------------------------------- backward

    /// <summary>
    /// L = Σ dOut ∘ f for a fixed random dOut: the backward pass's gradient against central differences (step 1e-6)
    /// of L computed with the double reference, in every entry of a small network, or at least 200 entries (a few of
    /// every tensor) of a larger one.
    /// </summary>
    [Theory]
    [InlineData(7, 2, 4, 0)]
    [InlineData(-9, 1, 4, 0)]
    [InlineData(1, 1, 4, 0)]
    [InlineData(23, 3, 16, 240)]
    public void Backward_MatchesCentralDifferencesOfTheReference(int n, int steps, int hidden, int sampled)
    {
        var a = n > 0 ? SymmetricPattern(n, seed: 30 + n) : UnsymmetricPattern(-n, seed: 31);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden, steps, seed: 32);
        Perturb(net, seed: 33);
        using var graph = new MatrixGraph(a, Device);
        var (nodes, edges) = Features(a, seed: 34);
        var w = Floats(a.NonZeros, 35);
        using var dNodes = Device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
        using var dEdges = Device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));
        using var dOut = Device.Upload<float>(w, new Shape(a.NonZeros, 1));
        ZeroGradients(net);
        net.Forward(graph, dNodes, dEdges);
        net.Backward(dOut);

        var values = Values(net);
        var nd = Doubles(nodes);
        var ed = Doubles(edges);
        double L() => GraphNetworkReference.Forward(values, a, nd, NodeFeatures, ed, EdgeFeatures, hidden, steps).Select((v, i) => v * w[i]).Sum();

        var entries = new List<(Parameter P, int K)>();
        var taken = new HashSet<(string, int)>();
        var random = new Random(36);
        foreach (var p in net.Parameters)
        {
            int length = p.Shape.Length;
            if (sampled == 0) entries.AddRange(Enumerable.Range(0, length).Select(k => (p, k)));
            else
                for (int i = 0; i < Math.Min(3, length); i++)
                {
                    int k = random.Next(length);
                    if (taken.Add((p.Name, k))) entries.Add((p, k));
                }
        }
        var all = net.Parameters.SelectMany(p => Enumerable.Range(0, p.Shape.Length).Select(k => (P: p, K: k))).ToArray();
        while (entries.Count < sampled)
        {
            var (p, k) = all[random.Next(all.Length)];
            if (taken.Add((p.Name, k))) entries.Add((p, k));
        }

        var gradients = net.Parameters.ToDictionary(p => p.Name, p => p.Gradient.ToArray());
        var numeric = new double[entries.Count];
        var backward = new double[entries.Count];
        const double h = 1e-6;
        for (int i = 0; i < entries.Count; i++)
        {
            var (p, k) = entries[i];
            var v = values[p.Name];
            double saved = v[k];
            v[k] = saved + h;
            double plus = L();
            v[k] = saved - h;
            double minus = L();
            v[k] = saved;
            numeric[i] = (plus - minus) / (2 * h);
            backward[i] = gradients[p.Name][k];
        }
        double norm = Math.Sqrt(numeric.Sum(x => x * x));
        double difference = Math.Sqrt(numeric.Select((x, i) => (x - backward[i]) * (x - backward[i])).Sum());
        int worst = Enumerable.Range(0, entries.Count).MaxBy(i => Math.Abs(numeric[i] - backward[i]));
        string where = $"{entries.Count} entries of {net.ParameterCount}; worst {entries[worst].P.Name}[{entries[worst].K}]: backward {backward[worst]:G6}, central difference {numeric[worst]:G6}; gradient norm {norm:G4}";
        TestContext.Current.TestOutputHelper?.WriteLine($"relative difference {difference / norm:E2}; {where}");
        Assert.True(norm > 1e-3, $"a vanishing gradient tests nothing: {where}");
        Assert.True(difference <= 1e-3 * norm, $"relative difference {difference / norm:E2}; {where}");
        Assert.True(Math.Abs(numeric[worst] - backward[worst]) <= 1e-3 * norm, where);
        // Every tensor takes part (on more than one node; a one-row layer may lie wholly below its ReLU).
        foreach (var p in net.Parameters)
            if (a.Rows > 1)
                Assert.True(gradients[p.Name].Any(g => g != 0), $"{p.Name}'s gradient is zero");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void InferenceForward_GivesTheTrainingForwardsBits_AndLeavesNothingForBackward(int steps)
    {
        var a = SymmetricPattern(23, 50 + steps);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 8, steps: steps, seed: 51);
        Perturb(net, seed: 52);
        using var graph = new MatrixGraph(a, Device);
        var (nodes, edges) = Features(a, seed: 53);
        using var dNodes = Device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
        using var dEdges = Device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));
        using var dOut = Device.Upload<float>(Floats(a.NonZeros, 54), new Shape(a.NonZeros, 1));

        var training = net.Forward(graph, dNodes, dEdges).ToArray();
        var inference = net.Forward(graph, dNodes, dEdges, forBackward: false).ToArray();
        AssertBitwiseEqual(training, inference, "the inference forward pass");
        Assert.Throws<InvalidOperationException>(() => net.Backward(dOut));
        net.Forward(graph, dNodes, dEdges);
        net.Backward(dOut);
    }

    [Fact]
    public void Backward_Accumulates_AndForwardAndBackwardAreDeterministic()
    {
        var a = SymmetricPattern(23, 40);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 8, steps: 2, seed: 41);
        Perturb(net, seed: 42);
        using var graph = new MatrixGraph(a, Device);
        var (nodes, edges) = Features(a, seed: 43);
        using var dNodes = Device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
        using var dEdges = Device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));
        using var dOut = Device.Upload<float>(Floats(a.NonZeros, 44), new Shape(a.NonZeros, 1));

        var first = net.Forward(graph, dNodes, dEdges).ToArray();
        var second = net.Forward(graph, dNodes, dEdges).ToArray();
        AssertBitwiseEqual(first, second, "the second forward pass");

        ZeroGradients(net);
        net.Backward(dOut);
        var once = net.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        net.Backward(dOut);
        var twice = net.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        net.Forward(graph, dNodes, dEdges);
        net.Backward(dOut);
        var thrice = net.Parameters.Select(p => p.Gradient.ToArray()).ToArray();
        for (int i = 0; i < once.Length; i++)
        {
            string name = net.Parameters[i].Name;
            double scale = once[i].Max(Math.Abs);
            Assert.True(scale > 0, $"{name}'s gradient is zero");
            for (int k = 0; k < once[i].Length; k++)
            {
                Assert.True(Math.Abs(twice[i][k] - 2.0 * once[i][k]) <= 1e-6 * scale, $"{name}[{k}] after two backward passes: {twice[i][k]:R}; once {once[i][k]:R}");
                Assert.True(Math.Abs(thrice[i][k] - 3.0 * once[i][k]) <= 1e-6 * scale, $"{name}[{k}] after three backward passes: {thrice[i][k]:R}; once {once[i][k]:R}");
            }
        }

        ZeroGradients(net);
        net.Forward(graph, dNodes, dEdges);
        net.Backward(dOut);
        for (int i = 0; i < once.Length; i++) AssertBitwiseEqual(once[i], net.Parameters[i].Gradient.ToArray(), $"{net.Parameters[i].Name}'s gradient, again");
    }

    // ---------------------------------------------------------------- devices

    [Fact]
    public void OutputsAndGradients_MatchAnotherDevices()
    {
        var a = UnsymmetricPattern(23, 50);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 16, steps: 3, seed: 51);
        using var other = new GraphNetwork(OtherDevice, NodeFeatures, EdgeFeatures, hidden: 16, steps: 3, seed: 51);
        Perturb(net, seed: 52);
        Perturb(other, seed: 52);
        var (nodes, edges) = Features(a, seed: 53);
        var w = Floats(a.NonZeros, 54);
        var (output, gradients) = Run(net);
        var (otherOutput, otherGradients) = Run(other);
        AssertClose(Doubles(otherOutput), Doubles(output), 1e-5, $"output on {Device.Name} against {OtherDevice.Name}");
        for (int i = 0; i < gradients.Length; i++)
            AssertClose(Doubles(otherGradients[i]), Doubles(gradients[i]), 1e-5, $"{net.Parameters[i].Name}'s gradient on {Device.Name} against {OtherDevice.Name}");

        (float[] Output, float[][] Gradients) Run(GraphNetwork network)
        {
            var device = network.Device;
            using var graph = new MatrixGraph(a, device);
            using var dNodes = device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
            using var dEdges = device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));
            using var dOut = device.Upload<float>(w, new Shape(a.NonZeros, 1));
            ZeroGradients(network);
            var y = network.Forward(graph, dNodes, dEdges).ToArray();
            network.Backward(dOut);
            return (y, network.Parameters.Select(p => p.Gradient.ToArray()).ToArray());
        }
    }

    // ---------------------------------------------------------------- errors

    [Fact]
    public void Forward_RefusesFeaturesOfTheWrongShape_AndAGraphOnAnotherDevice_NamingTheArgument()
    {
        var a = SymmetricPattern(7, 60);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 1);
        using var graph = new MatrixGraph(a, Device);
        using var nodes = Device.Allocate<float>(new Shape(a.Rows, NodeFeatures));
        using var edges = Device.Allocate<float>(new Shape(a.NonZeros, EdgeFeatures));
        using var nodesTooMany = Device.Allocate<float>(new Shape(a.Rows + 1, NodeFeatures));
        using var nodesWide = Device.Allocate<float>(new Shape(a.Rows, NodeFeatures + 1));
        using var nodesFlat = Device.Allocate<float>(new Shape(a.Rows * NodeFeatures));
        using var edgesFew = Device.Allocate<float>(new Shape(a.NonZeros - 1, EdgeFeatures));
        using var edgesNarrow = Device.Allocate<float>(new Shape(a.NonZeros, EdgeFeatures - 1));

        foreach (var bad in new[] { nodesTooMany, nodesWide, nodesFlat })
            AssertNames("nodeInput", Assert.Throws<ArgumentException>(() => net.Forward(graph, bad, edges)));
        foreach (var bad in new[] { edgesFew, edgesNarrow })
            AssertNames("edgeInput", Assert.Throws<ArgumentException>(() => net.Forward(graph, nodes, bad)));
        using var elsewhere = new MatrixGraph(a, OtherDevice);
        AssertNames("graph", Assert.Throws<ArgumentException>(() => net.Forward(elsewhere, nodes, edges)));
        // Features on another device: refused before anything runs.
        using var nodesElsewhere = OtherDevice.Allocate<float>(new Shape(a.Rows, NodeFeatures));
        using var edgesElsewhere = OtherDevice.Allocate<float>(new Shape(a.NonZeros, EdgeFeatures));
        AssertNames("nodeInput", Assert.Throws<ArgumentException>(() => net.Forward(graph, nodesElsewhere, edges)));
        AssertNames("edgeInput", Assert.Throws<ArgumentException>(() => net.Forward(graph, nodes, edgesElsewhere)));
        Assert.Throws<ArgumentNullException>(() => net.Forward(null!, nodes, edges));
        Assert.Throws<ArgumentNullException>(() => net.Forward(graph, null!, edges));
        Assert.Throws<ArgumentNullException>(() => net.Forward(graph, nodes, null!));
    }

    [Fact]
    public void Backward_BeforeForward_OrWithTheWrongShape_Throws()
    {
        var a = SymmetricPattern(7, 61);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 4, steps: 1);
        using var dOut = Device.Allocate<float>(new Shape(a.NonZeros, 1));
        var early = Assert.Throws<InvalidOperationException>(() => net.Backward(dOut));
        Assert.Contains("forward", early.Message, StringComparison.OrdinalIgnoreCase);

        using var graph = new MatrixGraph(a, Device);
        using var nodes = Device.Allocate<float>(new Shape(a.Rows, NodeFeatures));
        using var edges = Device.Allocate<float>(new Shape(a.NonZeros, EdgeFeatures));
        net.Forward(graph, nodes, edges);
        using var wrong = Device.Allocate<float>(new Shape(a.NonZeros + 1, 1));
        AssertNames("dOutput", Assert.Throws<ArgumentException>(() => net.Backward(wrong)));
        using var flat = Device.Allocate<float>(new Shape(a.NonZeros));
        AssertNames("dOutput", Assert.Throws<ArgumentException>(() => net.Backward(flat)));
        Assert.Throws<ArgumentNullException>(() => net.Backward(null!));
    }

    // ---------------------------------------------------------------- allocations

    [Fact]
    public void WarmForwardAndBackward_AllocateNothing()
    {
        Assert.SkipWhen(Simulated, "ILGPU's CPU accelerator allocates per launch.");
        var a = SymmetricPattern(23, 70);
        using var net = new GraphNetwork(Device, NodeFeatures, EdgeFeatures, hidden: 16, steps: 3, seed: 71);
        using var graph = new MatrixGraph(a, Device);
        var (nodes, edges) = Features(a, seed: 72);
        using var dNodes = Device.Upload<float>(nodes, new Shape(a.Rows, NodeFeatures));
        using var dEdges = Device.Upload<float>(edges, new Shape(a.NonZeros, EdgeFeatures));
        using var dOut = Device.Upload<float>(Floats(a.NonZeros, 73), new Shape(a.NonZeros, 1));
        net.Forward(graph, dNodes, dEdges);
        net.Backward(dOut);
        var (_, forward) = Allocations.Least(() => net.Forward(graph, dNodes, dEdges));
        var (_, backward) = Allocations.Least(() =>
        {
            net.Backward(dOut);
            return 0;
        });
        Assert.Equal((0L, 0L), (forward, backward));
    }

    // ---------------------------------------------------------------- the matrix graph

    /// <summary>
    /// [x . . x]   edges 0 (0,0), 1 (0,3)
    /// [. . . .]   (an empty row)
    /// [x x x .]   edges 2 (2,0), 3 (2,1), 4 (2,2)
    /// [. . . x]   edge 5 (3,3)
    /// </summary>
    [Fact]
    public void MatrixGraph_HoldsEachEdgesEndpoints_AndTheEdgesGroupedByTargetAndBySource()
    {
        var a = new CsrMatrix(4, 4, [0, 2, 2, 5, 6], [0, 3, 0, 1, 2, 3], [1, 2, 3, 4, 5, 6]);
        using var graph = new MatrixGraph(a, Device);
        Assert.Same(a, graph.Pattern);
        Assert.Same(Device, graph.Device);
        Assert.Equal(4, graph.Nodes);
        Assert.Equal(6, graph.Edges);
        Assert.Equal([0, 0, 2, 2, 2, 3], graph.Target.ToArray());
        Assert.Equal([0, 3, 0, 1, 2, 3], graph.Source.ToArray());
        Assert.Equal([0, 2, 2, 5, 6], graph.TargetOffsets.ToArray());
        Assert.Equal([0, 1, 2, 3, 4, 5], graph.TargetOrder.ToArray());
        Assert.Equal([0, 2, 3, 4, 6], graph.SourceOffsets.ToArray());
        Assert.Equal([0, 2, 3, 4, 1, 5], graph.SourceOrder.ToArray());
        Assert.True(graph.Serves(a));
        Assert.True(graph.Serves(a.WithValues([6, 5, 4, 3, 2, 1])));
        Assert.False(graph.Serves(new CsrMatrix(4, 4, [0, 2, 2, 5, 6], [0, 3, 0, 1, 3, 3], [1, 2, 3, 4, 5, 6])));
    }

    [Fact]
    public void MatrixGraph_OfRandomPatterns_GroupsEveryEdgeOnceByItsSource()
    {
        foreach (var a in new[] { SymmetricPattern(23, 80), UnsymmetricPattern(23, 81), SymmetricPattern(1, 82) })
        {
            using var graph = new MatrixGraph(a, Device);
            var source = graph.Source.ToArray();
            var offsets = graph.SourceOffsets.ToArray();
            var order = graph.SourceOrder.ToArray();
            Assert.Equal(Enumerable.Range(0, a.NonZeros), order.Order());
            for (int v = 0; v < a.Rows; v++)
            {
                var group = order[offsets[v]..offsets[v + 1]];
                Assert.All(group, e => Assert.Equal(v, source[e]));
                Assert.Equal(group.Order(), group);
            }
        }
    }

    [Fact]
    public void MatrixGraph_RefusesANonSquareMatrix()
    {
        var a = new CsrMatrix(2, 3, [0, 1, 2], [0, 2], [1, 1]);
        var error = Assert.Throws<ArgumentException>(() => new MatrixGraph(a, Device));
        Assert.Equal("a", error.ParamName);
        Assert.Contains("2 x 3", error.Message);
        Assert.Throws<ArgumentNullException>(() => new MatrixGraph(null!, Device));
    }

    // ---------------------------------------------------------------- helpers

    /// <summary>A random symmetric pattern with the whole diagonal and entries (0, n − 1), (n − 1, 0) for n ≥ 3; row n/2 holds only its diagonal.</summary>
    internal static CsrMatrix SymmetricPattern(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new List<int>();
        var columns = new List<int>();
        int lonely = n / 2;
        if (n >= 3)
        {
            rows.AddRange([0, n - 1]);
            columns.AddRange([n - 1, 0]);
        }
        for (int i = 0; i < n; i++)
        {
            rows.Add(i);
            columns.Add(i);
            for (int j = i + 1; j < n; j++)
                if (i != lonely && j != lonely && !(i == 0 && j == n - 1) && random.NextDouble() < 0.2)
                {
                    rows.AddRange([i, j]);
                    columns.AddRange([j, i]);
                }
        }
        return CsrMatrix.FromTriplets(n, n, rows.ToArray(), columns.ToArray(), Enumerable.Repeat(1.0, rows.Count).ToArray());
    }

    /// <summary>A random unsymmetric pattern: row 1 is empty, column 0 is full, and the rest is random.</summary>
    internal static CsrMatrix UnsymmetricPattern(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new List<int>();
        var columns = new List<int>();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (i != 1 && (j == 0 || random.NextDouble() < 0.25))
                {
                    rows.Add(i);
                    columns.Add(j);
                }
        return CsrMatrix.FromTriplets(n, n, rows.ToArray(), columns.ToArray(), Enumerable.Repeat(1.0, rows.Count).ToArray());
    }

    private static (float[] Nodes, float[] Edges) Features(CsrMatrix a, int seed) =>
        (Floats(a.Rows * NodeFeatures, seed), Floats(a.NonZeros * EdgeFeatures, seed + 1000));

    private static float[] Floats(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(2 * random.NextDouble() - 1)).ToArray();
    }

    private static double[] Doubles(float[] values) => Array.ConvertAll(values, v => (double)v);

    /// <summary>Moves each LayerNorm's γ and β off 1 and 0, so that a γ or β read wrongly shows.</summary>
    private static void Perturb(GraphNetwork net, int seed)
    {
        var random = new Random(seed);
        foreach (var p in net.Parameters)
        {
            bool gamma = p.Name.EndsWith(".3.weight", StringComparison.Ordinal), beta = p.Name.EndsWith(".3.bias", StringComparison.Ordinal);
            if (gamma || beta) p.Value.CopyFrom(Enumerable.Range(0, p.Shape.Length).Select(_ => (float)((gamma ? 1 : 0) + random.NextDouble() - 0.5)).ToArray());
        }
    }

    private static void ZeroGradients(GraphNetwork net)
    {
        var buffers = net.Device.Kernels(IBufferKernels.Family);
        foreach (var p in net.Parameters) buffers.Fill(p.Gradient, 0);
    }

    private static Dictionary<string, double[]> Values(GraphNetwork net) =>
        net.Parameters.ToDictionary(p => p.Name, p => Doubles(p.Value.ToArray()));

    private static double[] Reference(GraphNetwork net, CsrMatrix a, float[] nodes, float[] edges) =>
        GraphNetworkReference.Forward(Values(net), a, Doubles(nodes), NodeFeatures, Doubles(edges), EdgeFeatures, net.Hidden, net.Steps);

    /// <summary>|actual − expected| ≤ tolerance · max|expected| element by element, naming the worst.</summary>
    private static void AssertClose(double[] expected, double[] actual, double tolerance, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        if (scale == 0)
        {
            Assert.True(actual.All(v => v == 0), $"{what}: expected all zero");
            return;
        }
        int worst = Enumerable.Range(0, expected.Length).MaxBy(i => Math.Abs(actual[i] - expected[i]));
        double error = Math.Abs(actual[worst] - expected[worst]);
        Assert.True(error <= tolerance * scale,
            $"{what}[{worst}] = {actual[worst]:R}; expected {expected[worst]:R} (relative to the largest {error / scale:E2} > {tolerance:E0})");
    }

    private static double Difference(double[] expected, double[] actual) =>
        expected.Select((v, i) => Math.Abs(actual[i] - v)).Max() / expected.Max(Math.Abs);

    private static void AssertBitwiseEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: {actual[i]:R} differs from {expected[i]:R}");
    }

    private static void AssertNames(string argument, ArgumentException error)
    {
        Assert.Equal(argument, error.ParamName);
        Assert.Contains(argument, error.Message);
    }
}

public sealed class CpuGraphNetworkTests : GraphNetworkTests
{
    protected override Device Device => Device.Cpu;
}

public sealed class IlgpuCpuGraphNetworkTests : GraphNetworkTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.IlgpuCpu;

    protected override bool Simulated => true;
}

[Trait("Category", "Gpu")]
public sealed class CudaGraphNetworkTests : GraphNetworkTests
{
    protected override Device Device => LearnedSolvers.Tests.Devices.DeviceTargets.CudaOrSkip;
}
