using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// An operator that also multiplies interleaved blocks of eight columns: buffers of shape [n, 8] (C order), row i
/// holding the eight columns' entries of row i in one 64-byte line, so each matrix entry costs one vector load and one
/// fused multiply-add for all columns (a column-major block costs a load and a multiply-add per column). With the
/// product, the Gram matrix XᵀY of the two blocks comes free while the rows are in registers. Wrappers pass the
/// capability through (<see cref="SupportsInterleaved"/>).
/// </summary>
internal interface IInterleavedBlockOperator : IBlockOperator
{
    /// <summary>The width of an interleaved block.</summary>
    const int Width = 8;

    /// <summary>Whether <see cref="ApplyInterleaved"/> is available (a wrapper's inner operator may lack it).</summary>
    bool SupportsInterleaved { get; }

    /// <summary>
    /// Y = A X for interleaved blocks x and y of shape [n, 8] (n = rows = columns), of which the first
    /// <paramref name="columns"/> lanes are in use (the others are multiplied too and must be finite); and
    /// gram[t·8 + a] = Σ_i X[i, t] Y[i, a] for all eight lanes (an empty <paramref name="gram"/>: no Gram product).
    /// </summary>
    void ApplyInterleaved(DeviceBuffer<double> x, DeviceBuffer<double> y, int columns, Span<double> gram);
}
