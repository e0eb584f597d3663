using System.Runtime.CompilerServices;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// How the CPU convolutions tile their source tensor: a unit of work is one block of rows of one depth plane of one
/// sample, and its source rows (all channels, every kernel plane, the block's rows plus the kernel's reach above and
/// below) are copied into a zero-padded slab. Every tap's read of the slab then lies inside it, so the vector loops have
/// no border cases, and the slab (about 256 KiB) stays in the core's cache while all output channels read it.
/// <para>
/// Slab layout: [channel][kernel plane][row][column]; slab row j of a unit starting at output row r0 holds source row
/// r0 − padH + j; slab column c holds source column c − padW; a source position outside the tensor reads zero. The row
/// length is padW + W rounded up to whole vectors + padW, so a full vector at any output column below W is in bounds.
/// </para>
/// </summary>
internal readonly struct ConvolutionSlab
{
    private const int TargetFloats = 1 << 16;

    private readonly ConvolutionShape _shape;

    /// <param name="shape">The convolution.</param>
    /// <param name="channels">Channels of the tensor the slab copies (Cin forward, Cout for the input gradient).</param>
    /// <param name="lanes">Floats per vector register.</param>
    public ConvolutionSlab(ConvolutionShape shape, int channels, int lanes)
    {
        _shape = shape;
        Channels = channels;
        VectorWidth = (shape.Width + lanes - 1) / lanes * lanes;
        RowLength = VectorWidth + 2 * shape.PadWidth;
        int perRow = Math.Max(1, channels * shape.KernelDepth * RowLength);
        int maxRows = Math.Max(1, TargetFloats / perRow - 2 * shape.PadHeight);
        RowBlocks = Math.Max(1, (shape.Height + maxRows - 1) / maxRows);
        BlockRows = Math.Max(1, (shape.Height + RowBlocks - 1) / RowBlocks);
        RowBlocks = Math.Max(1, (shape.Height + BlockRows - 1) / BlockRows);
        Rows = BlockRows + 2 * shape.PadHeight;
        PlaneLength = Rows * RowLength;
        ChannelLength = shape.KernelDepth * PlaneLength;
        Length = channels * ChannelLength;
        Units = shape.Batch * shape.Depth * RowBlocks;
    }

    public int Channels { get; }

    /// <summary>The image width rounded up to whole vectors.</summary>
    public int VectorWidth { get; }

    /// <summary>Floats per slab row.</summary>
    public int RowLength { get; }

    /// <summary>Output rows per unit (the last unit of a plane may have fewer).</summary>
    public int BlockRows { get; }

    public int RowBlocks { get; }

    /// <summary>Slab rows per kernel plane: a block's rows plus the kernel's reach on both sides.</summary>
    public int Rows { get; }

    public int PlaneLength { get; }

    public int ChannelLength { get; }

    /// <summary>Floats in the slab.</summary>
    public int Length { get; }

    /// <summary>Units of work: N · D · row blocks.</summary>
    public int Units { get; }

    /// <summary>Sample, depth plane, first row and row count of unit <paramref name="unit"/>.</summary>
    public void Unit(int unit, out int sample, out int plane, out int firstRow, out int rows)
    {
        int block = unit % RowBlocks;
        int rest = unit / RowBlocks;
        plane = rest % _shape.Depth;
        sample = rest / _shape.Depth;
        firstRow = block * BlockRows;
        rows = Math.Min(BlockRows, _shape.Height - firstRow);
    }

    /// <summary>
    /// Slab offsets of the taps, in the weights' order (kernel plane, row, column), relative to the slab position of
    /// the output at row 0, column 0 of the unit.
    /// </summary>
    public void TapOffsets(Span<int> offsets)
    {
        var s = _shape;
        int t = 0;
        for (int a = 0; a < s.KernelDepth; a++)
            for (int b = 0; b < s.KernelHeight; b++)
                for (int e = 0; e < s.KernelWidth; e++)
                    offsets[t++] = a * PlaneLength + b * s.Dilation * RowLength + e * s.Dilation;
    }

    /// <summary>Copies the source rows of a unit into <paramref name="slab"/>, zero where they fall outside the tensor.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Fill(CpuMemory<float> source, int sample, int plane, int firstRow, int rows, Span<float> slab)
    {
        var s = _shape;
        int used = rows + 2 * s.PadHeight;
        for (int c = 0; c < Channels; c++)
            for (int a = 0; a < s.KernelDepth; a++)
            {
                int z = plane + a * s.Dilation - s.PadDepth;
                for (int j = 0; j < used; j++)
                {
                    var row = slab.Slice(c * ChannelLength + a * PlaneLength + j * RowLength, RowLength);
                    int r = firstRow - s.PadHeight + j;
                    if ((uint)z >= (uint)s.Depth || (uint)r >= (uint)s.Height)
                    {
                        row.Clear();
                        continue;
                    }
                    row[..s.PadWidth].Clear();
                    source.Slice((((sample * Channels + c) * s.Depth + z) * s.Height + r) * s.Width, s.Width).CopyTo(row[s.PadWidth..]);
                    row[(s.PadWidth + s.Width)..].Clear();
                }
            }
    }
}
