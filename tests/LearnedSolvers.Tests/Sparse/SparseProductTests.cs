using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class SparseProductTests
{
    [Theory]
    [InlineData(1, 1, 1, 1, 4)]
    [InlineData(7, 5, 9, 2, 4)]
    [InlineData(60, 45, 33, 3, 4)]
    [InlineData(300, 200, 250, 4, 4)]
    [InlineData(80, 60, 120, 5, 15)] // rows of the product longer than 32: the other sorting path
    public void Multiply_MatchesTheDenseProduct(int m, int k, int n, int seed, int perRow)
    {
        var a = RandomRectangular(m, k, seed, perRow);
        var b = RandomRectangular(k, n, seed + 1, perRow);
        var c = SparseProduct.Multiply(a, b);
        c.Validate();
        var da = a.ToDense();
        var db = b.ToDense();
        var dc = c.ToDense();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int l = 0; l < k; l++) s += da[i, l] * db[l, j];
                Assert.Equal(s, dc[i, j], 1e-12);
            }
    }

    [Fact]
    public void Galerkin_OfASymmetricMatrix_IsSymmetric()
    {
        var a = RandomSystems.Spd(200, 5);
        var p = RandomRectangular(200, 40, 6);
        var coarse = SparseProduct.Galerkin(a, p);
        Assert.Equal(40, coarse.Rows);
        Assert.True(coarse.IsSymmetric(1e-12));
    }

    [Fact]
    public void Multiply_RejectsMismatchedShapes() =>
        Assert.Throws<ArgumentException>(() => SparseProduct.Multiply(RandomRectangular(3, 4, 1), RandomRectangular(5, 3, 2)));

    private static CsrMatrix RandomRectangular(int rows, int columns, int seed, int perRow = 4)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(rows, columns);
        for (int i = 0; i < rows; i++)
            for (int t = 0; t < perRow; t++)
                b.Add(i, rng.Next(columns), rng.NextDouble() * 2 - 1);
        return b.ToCsr();
    }
}
