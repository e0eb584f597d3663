using LearnedSolvers.Distributed;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>Row partitions: balanced blocks, and the owner of each row (no MPI needed).</summary>
public sealed class RowPartitionTests
{
    [Theory]
    [InlineData(10, 3)]
    [InlineData(7, 7)]
    [InlineData(3, 5)]
    [InlineData(0, 2)]
    public void Balanced_CoversEveryRowOnce_WithSharesDifferingByAtMostOne(int rows, int ranks)
    {
        var p = RowPartition.Balanced(rows, ranks);
        Assert.Equal(rows, p.GlobalRows);
        Assert.Equal(ranks, p.Ranks);
        int total = 0;
        for (int r = 0; r < ranks; r++)
        {
            Assert.Equal(total, p.Start(r));
            Assert.InRange(p.Count(r), rows / ranks, rows / ranks + 1);
            for (int row = p.Start(r); row < p.Start(r) + p.Count(r); row++) Assert.Equal(r, p.Owner(row));
            total += p.Count(r);
        }
        Assert.Equal(rows, total);
    }

    [Fact]
    public void Owner_SkipsEmptyRanks()
    {
        var p = new RowPartition([0, 2, 2, 2, 5]);
        Assert.Equal(0, p.Owner(1));
        Assert.Equal(3, p.Owner(2));
        Assert.Equal(3, p.Owner(4));
    }

    [Fact]
    public void DecreasingBoundaries_AreRefused() =>
        Assert.Contains("must not decrease", Assert.Throws<ArgumentException>(() => new RowPartition([0, 3, 2])).Message);
}
