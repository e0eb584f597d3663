using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sequences;

public class SkrOrderingTests
{
    [Fact]
    public void PointsOnALine_StartingAtTheEnd_ComeOutSorted()
    {
        var rng = new Random(3);
        var values = Enumerable.Range(1, 99).OrderBy(_ => rng.Next()).Prepend(0).ToArray();
        var order = SkrOrdering.Order(values.Select(v => new double[] { v, 2.0 * v }).ToArray());
        Assert.Equal(Enumerable.Range(0, 100), order.Order.Select(i => values[i]));
        Assert.Equal(99 * Math.Sqrt(5), order.TotalDistance, 1e-9);
        Assert.True(order.NaturalDistance > 10 * order.TotalDistance);
    }

    [Fact]
    public void Groups_AreSortedSeparately_AndTheResultIsAPermutation()
    {
        var features = Enumerable.Range(0, 95).Select(i => RandomSystems.Vector(6, i)).ToArray();
        var order = SkrOrdering.Order(features, groupSize: 10);
        Assert.Equal(Enumerable.Range(0, 95), order.Order.Order());
        for (int g = 0; g < 95; g += 10)
        {
            Assert.Equal(g, order.Order[g]);
            Assert.All(order.Order.Skip(g).Take(10), i => Assert.InRange(i, g, Math.Min(94, g + 9)));
        }
    }

    [Fact]
    public void DiffusionFamily_OrderedByField_IsShorterThanTheNaturalOrder()
    {
        var family = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 16, Seed = 1 }, count: 30, perturbation: 0.3, seed: 2).ToList();
        var byField = SkrOrdering.Order(family);
        var byValues = SkrOrdering.Order(family, SequenceDistance.MatrixValues);
        Assert.True(byField.TotalDistance < byField.NaturalDistance, $"{byField.TotalDistance} vs {byField.NaturalDistance}");
        Assert.True(byValues.TotalDistance < byValues.NaturalDistance);
        Assert.Equal(Enumerable.Range(0, 30), byField.Order.Order());
    }

    [Fact]
    public void BadInput_GivesClearErrors()
    {
        Assert.Contains("length", Assert.Throws<ArgumentException>(() => SkrOrdering.Order([[1.0, 2.0], [1.0]])).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => SkrOrdering.Order([[1.0], [double.NaN]])).Message);
        var poisson = new[] { Poisson.TwoD(4), Poisson.TwoD(4) };
        Assert.Contains("coefficient field", Assert.Throws<ArgumentException>(() => SkrOrdering.Order(poisson)).Message);
        Assert.Contains("one size", Assert.Throws<ArgumentException>(() => SkrOrdering.Order([Poisson.TwoD(4), Poisson.TwoD(5)], SequenceDistance.MatrixValues)).Message);
        Assert.Empty(SkrOrdering.Order(Array.Empty<double[]>()).Order);
    }

    [Fact]
    public void MatrixValues_OnDifferentPatterns_IsTheFrobeniusNormOfTheDifference()
    {
        // [[2, 1], [0, 3]] and [[1, 0], [4, 3]]: the difference [[1, 1], [-4, 0]] has Frobenius norm √18.
        var a = CsrMatrix.FromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [2.0, 1.0, 3.0]);
        var b = CsrMatrix.FromTriplets(2, 2, [0, 1, 1], [0, 0, 1], [1.0, 4.0, 3.0]);
        var c = CsrMatrix.FromTriplets(2, 2, [0, 1], [0, 1], [2.0, 3.0]);
        var systems = new[] { a, b, c }.Select(m => new LinearSystem(m, [1.0, 1.0], "m")).ToArray();
        var order = SkrOrdering.Order(systems, SequenceDistance.MatrixValues);
        // From a, the nearest is c (distance 1: the entry (0,1) that c lacks), then b (‖c − b‖ = ‖[[1, 0], [-4, 0]]‖ = √17).
        Assert.Equal([0, 2, 1], order.Order);
        Assert.Equal(1 + Math.Sqrt(17), order.TotalDistance, 1e-12);
        Assert.Equal(Math.Sqrt(18) + Math.Sqrt(17), order.NaturalDistance, 1e-12);
    }
}
