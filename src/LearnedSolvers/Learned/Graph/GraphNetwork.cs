using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Learned.Graph;

/// <summary>
/// An encoder–processor–decoder graph network on a <see cref="MatrixGraph"/> (NeuralPCG's architecture): node and edge
/// encoders (Linear, ReLU, Linear, LayerNorm), <see cref="Steps"/> message-passing steps, each an edge update
/// e ← e + MLP([e, h_target, h_source]) followed by a node update h ← h + MLP([h, Σ_{edges into the node} e]), and an
/// edge decoder (Linear, ReLU, Linear) giving one value per edge. Every MLP has one hidden layer of <see cref="Hidden"/>
/// features; the updates end in LayerNorm. Parameters are named as a PyTorch state_dict of the same modules would
/// name them, with a concatenated input's first layer stored as one weight per part (".edge", ".target", ".source";
/// ".node", ".aggregate").
/// <para>
/// Features are rows of float32: nodes [V, node features], edges [E, edge features] in the graph's edge order. A warm
/// forward or backward pass on a graph of the same size allocates nothing; another size re-sizes the workspace.
/// </para>
/// </summary>
public sealed class GraphNetwork : IDisposable
{
    private const float LayerNormEpsilon = 1e-5f;

    private readonly INetworkKernels _kernels;
    private readonly IBufferKernels _buffers;
    private readonly Mlp _nodeEncoder, _edgeEncoder, _decoder;
    private readonly Mlp[] _edgeUpdates, _nodeUpdates;
    private Workspace? _work, _inferenceWork;
    private MatrixGraph? _graph;
    private DeviceBuffer<float>? _nodeInput, _edgeInput;

    /// <param name="device">Where the parameters and activations live.</param>
    /// <param name="nodeFeatures">Input features per node.</param>
    /// <param name="edgeFeatures">Input features per edge.</param>
    /// <param name="hidden">Latent features (NeuralPCG: 16).</param>
    /// <param name="steps">Message-passing steps (NeuralPCG: 5).</param>
    /// <param name="seed">Fixes the initial parameters.</param>
    public GraphNetwork(Device device, int nodeFeatures, int edgeFeatures, int hidden = 16, int steps = 5, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(nodeFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(edgeFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hidden, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 0);
        Device = device;
        NodeFeatures = nodeFeatures;
        EdgeFeatures = edgeFeatures;
        Hidden = hidden;
        Steps = steps;
        _kernels = device.Kernels(INetworkKernels.Family);
        _buffers = device.Kernels(IBufferKernels.Family);
        var random = new Random(seed);
        _nodeEncoder = new Mlp(device, "encoder.node", [("", nodeFeatures)], hidden, hidden, random, normalized: true);
        _edgeEncoder = new Mlp(device, "encoder.edge", [("", edgeFeatures)], hidden, hidden, random, normalized: true);
        _edgeUpdates = new Mlp[steps];
        _nodeUpdates = new Mlp[Math.Max(0, steps - 1)];
        for (int k = 0; k < steps; k++)
        {
            _edgeUpdates[k] = new Mlp(device, $"processor.{k}.edge", [(".edge", hidden), (".target", hidden), (".source", hidden)], hidden, hidden, random, normalized: true);
            if (k < steps - 1)
                _nodeUpdates[k] = new Mlp(device, $"processor.{k}.node", [(".node", hidden), (".aggregate", hidden)], hidden, hidden, random, normalized: true);
        }
        _decoder = new Mlp(device, "decoder", [("", hidden)], hidden, 1, random, normalized: false);
        Parameters = [.. new[] { _nodeEncoder, _edgeEncoder }
            .Concat(Enumerable.Range(0, steps).SelectMany(k => k < steps - 1 ? new[] { _edgeUpdates[k], _nodeUpdates[k] } : [_edgeUpdates[k]]))
            .Append(_decoder).SelectMany(m => m.Parameters)];
    }

    public Device Device { get; }
    public int NodeFeatures { get; }
    public int EdgeFeatures { get; }
    public int Hidden { get; }
    public int Steps { get; }

    /// <summary>Every trained tensor, in a fixed order.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of trained values.</summary>
    public int ParameterCount => Parameters.Sum(p => p.Shape.Length);

    /// <summary>
    /// One value per edge [E, 1] for the graph and its features; the returned buffer is the network's and holds the
    /// values until the next call. The features must stay unchanged until <see cref="Backward"/> when gradients are wanted.
    /// </summary>
    /// <param name="graph">The matrix's graph, on the network's device.</param>
    /// <param name="nodeInput">[V, node features].</param>
    /// <param name="edgeInput">[E, edge features].</param>
    /// <param name="forBackward">
    /// Keep every step's activations for <see cref="Backward"/> (training). False (inference) keeps two states and one
    /// stage per kind instead, about a quarter of the memory at NeuralPCG's size; <see cref="Backward"/> then refuses.
    /// </param>
    /// <exception cref="ArgumentException">The graph lives on another device, or a feature buffer's shape is not [V, node features] / [E, edge features].</exception>
    public DeviceBuffer<float> Forward(MatrixGraph graph, DeviceBuffer<float> nodeInput, DeviceBuffer<float> edgeInput, bool forBackward = true)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(nodeInput);
        ArgumentNullException.ThrowIfNull(edgeInput);
        if (graph.Device != Device) throw new ArgumentException($"The graph lives on {graph.Device.Name}; the network on {Device.Name}.", nameof(graph));
        if (nodeInput.Device != Device) throw new ArgumentException($"nodeInput lives on {nodeInput.Device.Name}; the network on {Device.Name}.", nameof(nodeInput));
        if (edgeInput.Device != Device) throw new ArgumentException($"edgeInput lives on {edgeInput.Device.Name}; the network on {Device.Name}.", nameof(edgeInput));
        if (nodeInput.Shape != new Shape(graph.Nodes, NodeFeatures))
            throw new ArgumentException($"nodeInput has shape {nodeInput.Shape}; the network takes [{graph.Nodes}, {NodeFeatures}] for this graph.", nameof(nodeInput));
        if (edgeInput.Shape != new Shape(graph.Edges, EdgeFeatures))
            throw new ArgumentException($"edgeInput has shape {edgeInput.Shape}; the network takes [{graph.Edges}, {EdgeFeatures}] for this graph.", nameof(edgeInput));
        var w = WorkspaceFor(graph, forBackward);
        (_graph, _nodeInput, _edgeInput) = forBackward ? (graph, nodeInput, edgeInput) : (null, null, null);

        Encode(_nodeEncoder, nodeInput, w.NodeEncoder, w.Nodes[0]);
        Encode(_edgeEncoder, edgeInput, w.EdgeEncoder, w.Edges[0]);
        for (int k = 0; k < Steps; k++)
        {
            var edge = _edgeUpdates[k];
            var e = w.EdgeSteps[k];
            edge.First[0].Forward(w.Edges[k], e.Pre);
            edge.First[1].Forward(w.Nodes[k], w.NodeScratch);
            _kernels.GatherRows(w.NodeScratch, graph.Target, w.EdgeScratch);
            _kernels.Axpby(1, w.EdgeScratch, 1, e.Pre);
            edge.First[2].Forward(w.Nodes[k], w.NodeScratch);
            _kernels.GatherRows(w.NodeScratch, graph.Source, w.EdgeScratch);
            _kernels.Axpby(1, w.EdgeScratch, 1, e.Pre);
            FinishUpdate(edge, e, w.Edges[k], w.Edges[k + 1]);
            if (k == Steps - 1) break;

            var node = _nodeUpdates[k];
            var v = w.NodeSteps[k];
            _kernels.SegmentSum(w.Edges[k + 1], graph.TargetOffsets, graph.TargetOrder, w.Aggregates[k]);
            node.First[0].Forward(w.Nodes[k], v.Pre);
            node.First[1].Forward(w.Aggregates[k], w.NodeScratch);
            _kernels.Axpby(1, w.NodeScratch, 1, v.Pre);
            FinishUpdate(node, v, w.Nodes[k], w.Nodes[k + 1]);
        }
        _decoder.First[0].Forward(w.Edges[Steps], w.Decoder.Pre);
        _kernels.Activate(Activation.Relu, w.Decoder.Pre, w.Decoder.Active);
        _decoder.Second.Forward(w.Decoder.Active, w.Output);
        return w.Output;
    }

    /// <summary>Adds to every parameter's gradient the gradient of Σ dOut ∘ out at the last forward pass's inputs.</summary>
    public void Backward(DeviceBuffer<float> dOutput)
    {
        ArgumentNullException.ThrowIfNull(dOutput);
        var w = _work ?? throw new InvalidOperationException("Backward needs a forward pass first.");
        var graph = _graph ?? throw new InvalidOperationException("Backward needs a forward pass that kept its activations (forBackward: true) last.");
        if (dOutput.Shape != w.Output.Shape) throw new ArgumentException($"dOutput has shape {dOutput.Shape}; the last output had {w.Output.Shape}.", nameof(dOutput));

        _decoder.Second.Backward(w.Decoder.Active, dOutput, w.DEdgeActive);
        _kernels.ActivateBackward(Activation.Relu, w.Decoder.Pre, w.DEdgeActive, w.DEdgeActive);
        _decoder.First[0].Backward(w.Edges[Steps], w.DEdgeActive, w.DEdges);
        _buffers.Fill(w.DNodes, 0);
        for (int k = Steps - 1; k >= 0; k--)
        {
            if (k < Steps - 1) BackThroughNodeUpdate(k, w, graph);
            var edge = _edgeUpdates[k];
            var e = w.EdgeSteps[k];
            BackThroughUpdate(edge, e, w.DEdges, w.DEdgeUpdate, w.DEdgeActive);
            edge.First[0].Backward(w.Edges[k], w.DEdgeActive, w.DEdges, accumulateInput: true);
            _kernels.SegmentSum(w.DEdgeActive, graph.TargetOffsets, graph.TargetOrder, w.NodeScratch);
            edge.First[1].Backward(w.Nodes[k], w.NodeScratch, w.DNodes, accumulateInput: true);
            _kernels.SegmentSum(w.DEdgeActive, graph.SourceOffsets, graph.SourceOrder, w.NodeScratch);
            edge.First[2].Backward(w.Nodes[k], w.NodeScratch, w.DNodes, accumulateInput: true);
        }
        BackThroughUpdate(_nodeEncoder, w.NodeEncoder, w.DNodes, w.DNodeUpdate, w.DNodeActive);
        _nodeEncoder.First[0].Backward(_nodeInput!, w.DNodeActive, dx: null);
        BackThroughUpdate(_edgeEncoder, w.EdgeEncoder, w.DEdges, w.DEdgeUpdate, w.DEdgeActive);
        _edgeEncoder.First[0].Backward(_edgeInput!, w.DEdgeActive, dx: null);
    }

    /// <summary>Back through step k's node update: into the node gradient (and its residual) and the updated edges' gradient.</summary>
    private void BackThroughNodeUpdate(int k, Workspace w, MatrixGraph graph)
    {
        var node = _nodeUpdates[k];
        BackThroughUpdate(node, w.NodeSteps[k], w.DNodes, w.DNodeUpdate, w.DNodeActive);
        node.First[0].Backward(w.Nodes[k], w.DNodeActive, w.DNodes, accumulateInput: true);
        node.First[1].Backward(w.Aggregates[k], w.DNodeActive, w.DAggregate);
        _kernels.GatherRows(w.DAggregate, graph.Target, w.EdgeScratch);
        _kernels.Axpby(1, w.EdgeScratch, 1, w.DEdges);
    }

    /// <summary>output = LayerNorm(MLP(input)) for an encoder (no residual).</summary>
    private void Encode(Mlp mlp, DeviceBuffer<float> input, Stage s, DeviceBuffer<float> output)
    {
        mlp.First[0].Forward(input, s.Pre);
        _kernels.Activate(Activation.Relu, s.Pre, s.Active);
        mlp.Second.Forward(s.Active, s.Update!);
        _kernels.LayerNorm(s.Update!, mlp.Gamma!.Value, mlp.Beta!.Value, LayerNormEpsilon, output, s.Mean!, s.InverseStd!);
    }

    /// <summary>From the first layer's sum in s.Pre: next = previous + LayerNorm(Linear(ReLU(pre))).</summary>
    private void FinishUpdate(Mlp mlp, Stage s, DeviceBuffer<float> previous, DeviceBuffer<float> next)
    {
        _kernels.Activate(Activation.Relu, s.Pre, s.Active);
        mlp.Second.Forward(s.Active, s.Update!);
        _kernels.LayerNorm(s.Update!, mlp.Gamma!.Value, mlp.Beta!.Value, LayerNormEpsilon, next, s.Mean!, s.InverseStd!);
        _kernels.Axpby(1, previous, 1, next);
    }

    /// <summary>
    /// From the gradient at a stage's normalized output to the gradient at its first layer's sum (in
    /// <paramref name="dActive"/>), adding the second layer's and the norm's parameter gradients.
    /// </summary>
    private void BackThroughUpdate(Mlp mlp, Stage s, DeviceBuffer<float> dOutput, DeviceBuffer<float> dUpdate, DeviceBuffer<float> dActive)
    {
        _buffers.Fill(dUpdate, 0);
        _kernels.LayerNormBackward(s.Update!, mlp.Gamma!.Value, s.Mean!, s.InverseStd!, dOutput, dUpdate, mlp.Gamma.Gradient, mlp.Beta!.Gradient, accumulate: true);
        mlp.Second.Backward(s.Active, dUpdate, dActive);
        _kernels.ActivateBackward(Activation.Relu, s.Pre, dActive, dActive);
    }

    private Workspace WorkspaceFor(MatrixGraph graph, bool forBackward)
    {
        ref var work = ref forBackward ? ref _work : ref _inferenceWork;
        if (work is not null && work.NodeCount == graph.Nodes && work.EdgeCount == graph.Edges) return work;
        work?.Dispose();
        work = null;
        work = new Workspace(Device, graph.Nodes, graph.Edges, Hidden, Steps, forBackward);
        return work;
    }

    public void Dispose()
    {
        _work?.Dispose();
        _inferenceWork?.Dispose();
        foreach (var m in new[] { _nodeEncoder, _edgeEncoder, _decoder }.Concat(_edgeUpdates).Concat(_nodeUpdates)) m.Dispose();
    }

    /// <summary>A one-hidden-layer MLP whose first layer may read a concatenation (one <see cref="Dense"/> per part), optionally LayerNorm-ed.</summary>
    private sealed class Mlp : IDisposable
    {
        public Mlp(Device device, string name, (string Suffix, int Features)[] parts, int hidden, int output, Random random, bool normalized)
        {
            int fanIn = parts.Sum(p => p.Features);
            First = parts.Select((p, i) => new Dense(device, name + ".0" + p.Suffix, p.Features, hidden, random, hasBias: i == 0, fanIn)).ToArray();
            Second = new Dense(device, name + ".2", hidden, output, random);
            if (normalized)
            {
                Gamma = new Parameter(device, name + ".3.weight", new Shape(output));
                Beta = new Parameter(device, name + ".3.bias", new Shape(output));
                Gamma.Value.CopyFrom(Enumerable.Repeat(1f, output).ToArray());
            }
        }

        public Dense[] First { get; }
        public Dense Second { get; }
        public Parameter? Gamma { get; }
        public Parameter? Beta { get; }

        public IEnumerable<Parameter> Parameters =>
            First.SelectMany(d => d.Parameters).Concat(Second.Parameters).Concat(Gamma is null ? [] : [Gamma, Beta!]);

        public void Dispose()
        {
            foreach (var d in First) d.Dispose();
            Second.Dispose();
            Gamma?.Dispose();
            Beta?.Dispose();
        }
    }

    /// <summary>
    /// One MLP's saved activations: the first layer's sum, its ReLU, and for a normalized MLP the second layer's output
    /// and the norm's statistics (the decoder's second layer writes the network's output instead).
    /// </summary>
    private sealed class Stage(Device device, int rows, int hidden, bool normalized) : IDisposable
    {
        public readonly DeviceBuffer<float> Pre = device.Allocate<float>(new Shape(rows, hidden));
        public readonly DeviceBuffer<float> Active = device.Allocate<float>(new Shape(rows, hidden));
        public readonly DeviceBuffer<float>? Update = normalized ? device.Allocate<float>(new Shape(rows, hidden)) : null;
        public readonly DeviceBuffer<float>? Mean = normalized ? device.Allocate<float>(new Shape(rows)) : null;
        public readonly DeviceBuffer<float>? InverseStd = normalized ? device.Allocate<float>(new Shape(rows)) : null;

        public void Dispose()
        {
            Pre.Dispose();
            Active.Dispose();
            Update?.Dispose();
            Mean?.Dispose();
            InverseStd?.Dispose();
        }
    }

    private sealed class Workspace : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        /// <summary>
        /// With <paramref name="forBackward"/>, every step's states and stages; without, the step arrays hold two
        /// alternating states and one stage per kind, shared by the encoders, the steps and the decoder.
        /// </summary>
        public Workspace(Device device, int nodes, int edges, int hidden, int steps, bool forBackward)
        {
            NodeCount = nodes;
            EdgeCount = edges;
            try
            {
                Nodes = new DeviceBuffer<float>[Math.Max(1, steps)]; // the last step updates no nodes
                Edges = new DeviceBuffer<float>[steps + 1];
                EdgeSteps = new Stage[steps];
                NodeSteps = new Stage[Math.Max(0, steps - 1)];
                Aggregates = new DeviceBuffer<float>[NodeSteps.Length];
                Output = Own(device.Allocate<float>(new Shape(edges, 1)));
                NodeScratch = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                EdgeScratch = Own(device.Allocate<float>(new Shape(edges, hidden)));
                if (!forBackward)
                {
                    NodeEncoder = Own(new Stage(device, nodes, hidden, true));
                    EdgeEncoder = Decoder = Own(new Stage(device, edges, hidden, true));
                    var nodeStates = new[] { Own(device.Allocate<float>(new Shape(nodes, hidden))), Own(device.Allocate<float>(new Shape(nodes, hidden))) };
                    var edgeStates = new[] { Own(device.Allocate<float>(new Shape(edges, hidden))), Own(device.Allocate<float>(new Shape(edges, hidden))) };
                    var aggregate = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                    for (int k = 0; k < Nodes.Length; k++) Nodes[k] = nodeStates[k % 2];
                    for (int k = 0; k < Edges.Length; k++) Edges[k] = edgeStates[k % 2];
                    Array.Fill(EdgeSteps, EdgeEncoder);
                    Array.Fill(NodeSteps, NodeEncoder);
                    Array.Fill(Aggregates, aggregate);
                    return;
                }
                NodeEncoder = Own(new Stage(device, nodes, hidden, true));
                EdgeEncoder = Own(new Stage(device, edges, hidden, true));
                Decoder = Own(new Stage(device, edges, hidden, false));
                for (int k = 0; k < Nodes.Length; k++) Nodes[k] = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                for (int k = 0; k <= steps; k++) Edges[k] = Own(device.Allocate<float>(new Shape(edges, hidden)));
                for (int k = 0; k < steps; k++) EdgeSteps[k] = Own(new Stage(device, edges, hidden, true));
                for (int k = 0; k < NodeSteps.Length; k++)
                {
                    NodeSteps[k] = Own(new Stage(device, nodes, hidden, true));
                    Aggregates[k] = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                }
                DNodes = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                DEdges = Own(device.Allocate<float>(new Shape(edges, hidden)));
                DNodeUpdate = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                DEdgeUpdate = Own(device.Allocate<float>(new Shape(edges, hidden)));
                DNodeActive = Own(device.Allocate<float>(new Shape(nodes, hidden)));
                DEdgeActive = Own(device.Allocate<float>(new Shape(edges, hidden)));
                DAggregate = Own(device.Allocate<float>(new Shape(nodes, hidden)));
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        private T Own<T>(T item) where T : IDisposable
        {
            _owned.Add(item);
            return item;
        }

        public int NodeCount { get; }
        public int EdgeCount { get; }
        public readonly Stage NodeEncoder, EdgeEncoder, Decoder;
        public readonly Stage[] EdgeSteps, NodeSteps;
        public readonly DeviceBuffer<float>[] Nodes, Edges, Aggregates;
        public readonly DeviceBuffer<float> Output, NodeScratch, EdgeScratch;
        public readonly DeviceBuffer<float> DNodes = null!, DEdges = null!, DNodeUpdate = null!, DEdgeUpdate = null!, DNodeActive = null!, DEdgeActive = null!, DAggregate = null!;

        public void Dispose()
        {
            foreach (var item in _owned) item.Dispose();
            _owned.Clear();
        }
    }
}
