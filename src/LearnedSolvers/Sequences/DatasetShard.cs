namespace LearnedSolvers.Sequences;

/// <summary>
/// Shard <see cref="Index"/> of <see cref="Count"/> (1-based, as a job array numbers its tasks) of a data set whose
/// members are split across independent jobs. A shard holds one contiguous block of global member indices: block
/// sizes differ by at most one, and block k (0-based) starts at ⌊k · total / Count⌋.
/// </summary>
/// <remarks>
/// Contiguous blocks rather than every Count-th member: a family's members are consecutive draws of one random stream,
/// so a shard must draw (and discard) every member before its first; a block stops drawing at its end, where a strided
/// shard would draw up to the family's last member. Concatenated in shard order the blocks are the global order.
/// </remarks>
public sealed record DatasetShard
{
    /// <param name="index">1 ≤ index ≤ count.</param>
    /// <param name="count">Shards in all, ≥ 1.</param>
    /// <exception cref="ArgumentOutOfRangeException">count &lt; 1, or index outside [1, count].</exception>
    public DatasetShard(int index, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (index < 1 || index > count)
            throw new ArgumentOutOfRangeException(nameof(index), index, $"A shard index lies in [1, {count}] (1-based).");
        Index = index;
        Count = count;
    }

    /// <summary>The whole data set: shard 1 of 1.</summary>
    public static DatasetShard Whole { get; } = new(1, 1);

    /// <summary>1-based.</summary>
    public int Index { get; }

    public int Count { get; }

    /// <summary>This shard's global member indices, [Start, End), in a data set of <paramref name="total"/> members.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="total"/> is less than the number of shards, which would leave a shard empty.</exception>
    public (int Start, int End) Members(int total)
    {
        if (total < Count)
            throw new ArgumentOutOfRangeException(nameof(total), total, $"{Count} shards need at least {Count} members; a shard without members is no data set.");
        return (Start(Index - 1, total), Start(Index, total));
    }

    private int Start(int block, int total) => (int)((long)block * total / Count);

    public override string ToString() => $"{Index}/{Count}";
}
