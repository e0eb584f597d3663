using LearnedSolvers.Sequences;

namespace LearnedSolvers.Tests.Sequences;

public sealed class DatasetShardTests
{
    [Theory]
    [InlineData(7, 3)]
    [InlineData(16, 16)]
    [InlineData(1000, 7)]
    [InlineData(5, 1)]
    public void Shards_PartitionTheMembers_IntoContiguousBlocks_WithinOneOfEachOther(int total, int shards)
    {
        var blocks = Enumerable.Range(1, shards).Select(i => new DatasetShard(i, shards).Members(total)).ToList();
        Assert.Equal(0, blocks[0].Start);
        Assert.Equal(total, blocks[^1].End);
        for (int k = 1; k < shards; k++) Assert.Equal(blocks[k - 1].End, blocks[k].Start);
        var sizes = blocks.Select(b => b.End - b.Start).ToList();
        Assert.True(sizes.Min() >= 1 && sizes.Max() - sizes.Min() <= 1, string.Join(",", sizes));
    }

    [Fact]
    public void HugeFamilies_DoNotOverflowTheBlockBoundaries()
    {
        var (start, end) = new DatasetShard(1000, 1000).Members(int.MaxValue);
        Assert.Equal(int.MaxValue, end);
        Assert.Equal((int)(999L * int.MaxValue / 1000), start);
    }

    [Theory]
    [InlineData(0, 3)]
    [InlineData(4, 3)]
    [InlineData(1, 0)]
    public void IndexOutsideOneToCount_IsRefused(int index, int count) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetShard(index, count));

    [Fact]
    public void MoreShardsThanMembers_IsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new DatasetShard(1, 8).Members(7));
}
