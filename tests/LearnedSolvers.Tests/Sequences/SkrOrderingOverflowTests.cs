using LearnedSolvers.Sequences;

namespace LearnedSolvers.Tests.Sequences;

public sealed class SkrOrderingOverflowTests
{
    [Fact]
    public void FeaturesWhoseSquaredDistancesOverflow_AreStillOrdered()
    {
        // 1e200 apart: the squares overflow, the distances do not.
        var features = new[] { 0.0, 3.0, 1.0, 2.0 }.Select(v => new[] { v * 1e200, -v * 1e200 }).ToArray();
        var order = SkrOrdering.Order(features);
        Assert.Equal([0, 2, 3, 1], order.Order);
        Assert.True(double.IsFinite(order.TotalDistance));
        Assert.Equal(3 * Math.Sqrt(2) * 1e200, order.TotalDistance, 1e188);
    }

    [Fact]
    public void DistancesBeyondDoubleRange_StillGiveAPermutation()
    {
        var features = new[] { new[] { -double.MaxValue }, new[] { double.MaxValue }, new[] { 0.0 } };
        var order = SkrOrdering.Order(features);
        Assert.Equal([0, 1, 2], order.Order.Order());
    }
}
