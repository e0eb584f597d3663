using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Graph;

/// <summary>
/// The directed graph of a square sparse matrix on a device: a node per row, an edge per stored entry (i, j) in CSR
/// order, carrying a message from node j (its source, the column) to node i (its target, the row); the diagonal
/// entries are self-loops. Holds what message passing needs: each edge's endpoints, and the edges grouped by target
/// (CSR order itself) and by source (the transpose's order) for the deterministic sums of <see cref="Nn.INetworkKernels.SegmentSum"/>.
/// </summary>
public sealed class MatrixGraph : IDisposable
{
    /// <param name="a">The matrix whose pattern is the graph (its values are not read).</param>
    /// <param name="device">Where the index arrays live.</param>
    public MatrixGraph(CsrMatrix a, Device device)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(device);
        if (!a.IsSquare) throw new ArgumentException($"A matrix graph needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        Pattern = a;
        Device = device;
        Nodes = a.Rows;
        Edges = a.NonZeros;
        var target = new int[Edges];
        for (int i = 0; i < Nodes; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) target[k] = i;
        var identity = new int[Edges];
        for (int k = 0; k < Edges; k++) identity[k] = k;
        // Grouped by source = the transpose's rows: edge k is the transpose's entry positions[k].
        var sourceOffsets = a.Transpose(out var positions).RowPointers;
        var sourceOrder = new int[Edges];
        for (int k = 0; k < Edges; k++) sourceOrder[positions[k]] = k;

        var buffers = new List<DeviceBuffer<int>>();
        try
        {
            Target = Upload(target, buffers);
            Source = Upload(a.ColumnIndices.AsSpan(0, Edges), buffers);
            TargetOffsets = Upload(a.RowPointers, buffers);
            TargetOrder = Upload(identity, buffers);
            SourceOffsets = Upload(sourceOffsets, buffers);
            SourceOrder = Upload(sourceOrder, buffers);
        }
        catch
        {
            foreach (var b in buffers) b.Dispose();
            throw;
        }
    }

    private DeviceBuffer<int> Upload(ReadOnlySpan<int> values, List<DeviceBuffer<int>> owned)
    {
        var buffer = Device.Allocate<int>(new Shape(values.Length));
        owned.Add(buffer);
        buffer.CopyFrom(values);
        return buffer;
    }

    /// <summary>The matrix whose pattern this is.</summary>
    public CsrMatrix Pattern { get; }
    public Device Device { get; }
    public int Nodes { get; }
    public int Edges { get; }

    /// <summary>Each edge's target node (the entry's row).</summary>
    public DeviceBuffer<int> Target { get; }

    /// <summary>Each edge's source node (the entry's column).</summary>
    public DeviceBuffer<int> Source { get; }

    /// <summary>The edges into each node: [TargetOffsets[v], TargetOffsets[v + 1]) of <see cref="TargetOrder"/>.</summary>
    public DeviceBuffer<int> TargetOffsets { get; }
    public DeviceBuffer<int> TargetOrder { get; }

    /// <summary>The edges out of each node: [SourceOffsets[v], SourceOffsets[v + 1]) of <see cref="SourceOrder"/>.</summary>
    public DeviceBuffer<int> SourceOffsets { get; }
    public DeviceBuffer<int> SourceOrder { get; }

    /// <summary>True when <paramref name="a"/> has this graph's pattern.</summary>
    public bool Serves(CsrMatrix a) => ReferenceEquals(a, Pattern) || a.HasSamePattern(Pattern);

    public void Dispose()
    {
        Target.Dispose();
        Source.Dispose();
        TargetOffsets.Dispose();
        TargetOrder.Dispose();
        SourceOffsets.Dispose();
        SourceOrder.Dispose();
    }
}
