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

    /// <summary>The buffer's elements as one vector view (any shape): no copy.</summary>
    public static DeviceVector AsVector(this DeviceBuffer<double> buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        return buffer as DeviceVector ?? (DeviceVector)buffer.Reshape(Shape.Vector(buffer.Length));
    }
}
