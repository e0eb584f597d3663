namespace LearnedSolvers.Devices;

/// <summary>Typed views of double buffers: the columns of a block and the rank-1 case are <see cref="DeviceVector"/>s.</summary>
public static class DeviceBufferViews
{
    /// <summary>Column <paramref name="j"/> of a block ([columns, rows]), as a vector view: no copy.</summary>
    public static DeviceVector Column(this DeviceBuffer<double> block, int j)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Shape.Rank != 2) throw new ArgumentException($"Column needs a block of rank 2 ([columns, rows]); this buffer has shape {block.Shape}.", nameof(block));
        return (DeviceVector)block.Slice(j);
    }

    /// <summary>
    /// The first <paramref name="length"/> entries of column <paramref name="j"/> of a block whose columns are longer
    /// (a block with a leading dimension, <see cref="Shape.PaddedBlock"/>), as a vector view: no copy.
    /// </summary>
    public static DeviceVector Column(this DeviceBuffer<double> block, int j, int length)
    {
        ArgumentNullException.ThrowIfNull(block);
        if (block.Shape.Rank != 2) throw new ArgumentException($"Column needs a block of rank 2 ([columns, rows]); this buffer has shape {block.Shape}.", nameof(block));
        int ld = block.Shape[1];
        if ((uint)j >= (uint)block.Shape[0]) throw new ArgumentOutOfRangeException(nameof(j), j, $"The block has {block.Shape[0]} columns.");
        if ((uint)length > (uint)ld) throw new ArgumentOutOfRangeException(nameof(length), length, $"The block's columns hold {ld} entries.");
        return block.Range(j * ld, length).AsVector();
    }

    /// <summary>The buffer's elements as one vector view (any shape): no copy.</summary>
    public static DeviceVector AsVector(this DeviceBuffer<double> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return buffer as DeviceVector ?? (DeviceVector)buffer.Reshape(Shape.Vector(buffer.Length));
    }
}
