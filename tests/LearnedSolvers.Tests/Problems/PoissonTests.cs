using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Problems;

public class PoissonTests
{
    [Theory]
    [InlineData(1), InlineData(2), InlineData(3), InlineData(10), InlineData(37)]
    public void NonZeroCounts_MatchStencilFormulas(int n)
    {
        var two = Poisson.TwoD(n);
        Assert.Equal(n * n, two.Matrix.Rows);
        Assert.Equal(5 * n * n - 4 * n, two.Matrix.NonZeros);
        var three = Poisson.ThreeD(n);
        Assert.Equal(n * n * n, three.Matrix.Rows);
        Assert.Equal(7 * n * n * n - 6 * n * n, three.Matrix.NonZeros);
    }

    [Theory]
    [InlineData(2), InlineData(3)]
    public void Matrix_IsSymmetric_DominantWithPositiveDiagonal_AndInteriorRowSumsZero(int dimension)
    {
        var system = dimension == 2 ? Poisson.TwoD(17) : Poisson.ThreeD(7);
        var a = system.Matrix;
        Assert.True(a.IsSymmetric());
        Assert.All(a.Diagonal(), d => Assert.Equal(2.0 * dimension, d));
        MatrixProperties.AssertNonpositiveOffDiagonal(a);
        MatrixProperties.AssertDiagonallyDominant(a, 2 * dimension + 1);
        Assert.Equal(0.0, MatrixProperties.MaxInteriorRowSum(a, 2 * dimension + 1));
        Assert.Equal(dimension, system.Dimension);
        Assert.Null(system.Coefficients);
    }

    [Fact]
    public void Matrix_MatchesStencilAtKnownEntries_RowMajorOrdering()
    {
        const int n = 5;
        var a = Poisson.TwoD(n).Matrix;
        int row = 2 + n * 3; // point (i, j) = (2, 3)
        Assert.Equal(4.0, a[row, row]);
        Assert.Equal(-1.0, a[row, row - 1]);
        Assert.Equal(-1.0, a[row, row + 1]);
        Assert.Equal(-1.0, a[row, row - n]);
        Assert.Equal(-1.0, a[row, row + n]);
        Assert.Equal(0.0, a[4, 5]); // (4, 0) and (0, 1) are not neighbours across the grid edge
        var c = Poisson.ThreeD(n).Matrix;
        int r3 = 1 + n * 2 + n * n * 3;
        Assert.Equal(-1.0, c[r3, r3 - n * n]);
        Assert.Equal(-1.0, c[r3, r3 + n * n]);
        Assert.Equal(6.0, c[r3, r3]);
    }

    [Theory]
    [InlineData(1, 1), InlineData(2, 3), InlineData(7, 1), InlineData(20, 20)]
    public void TwoD_SineMode_IsEigenvector_WithAnalyticEigenvalue(int p, int q)
    {
        const int n = 20;
        double h = 1.0 / (n + 1);
        var a = Poisson.TwoD(n).Matrix;
        var v = new double[n * n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
                v[i + n * j] = Math.Sin(p * Math.PI * (i + 1) * h) * Math.Sin(q * Math.PI * (j + 1) * h);
        AssertEigenpair(a, v, Poisson.Eigenvalue(n, p, q));
    }

    [Fact]
    public void ThreeD_SineMode_IsEigenvector_WithAnalyticEigenvalue()
    {
        const int n = 9;
        double h = 1.0 / (n + 1);
        var a = Poisson.ThreeD(n).Matrix;
        foreach (var (p, q, r) in new[] { (1, 1, 1), (2, 5, 9) })
        {
            var v = new double[n * n * n];
            for (int k = 0; k < n; k++)
                for (int j = 0; j < n; j++)
                    for (int i = 0; i < n; i++)
                        v[i + n * j + n * n * k] = Math.Sin(p * Math.PI * (i + 1) * h) * Math.Sin(q * Math.PI * (j + 1) * h) * Math.Sin(r * Math.PI * (k + 1) * h);
            AssertEigenpair(a, v, Poisson.Eigenvalue(n, p, q, r));
        }
        Assert.Equal(12 * Math.Pow(Math.Sin(Math.PI * h / 2), 2), Poisson.Eigenvalue(n, 1, 1, 1), 1e-15);
    }

    private static void AssertEigenpair(LearnedSolvers.Sparse.CsrMatrix a, double[] v, double lambda)
    {
        var av = Reference.Multiply(a, v);
        double vav = 0, vv = 0, rr = 0;
        for (int i = 0; i < v.Length; i++)
        {
            vav += v[i] * av[i];
            vv += v[i] * v[i];
            double r = av[i] - lambda * v[i];
            rr += r * r;
        }
        Assert.Equal(lambda, vav / vv, 1e-12 * Math.Max(1, lambda));
        Assert.True(Math.Sqrt(rr / vv) < 1e-12, $"‖Av - λv‖/‖v‖ = {Math.Sqrt(rr / vv)}");
    }

    [Fact]
    public void TwoD_AppliedToBubble_IsExactMinusLaplacian()
    {
        // u = x(1-x) y(1-y) is quadratic per axis, where the second difference is exact, and vanishes on the boundary.
        const int n = 31;
        double h = 1.0 / (n + 1);
        var system = Poisson.TwoD(n);
        var u = new double[n * n];
        var minusLaplacian = new double[n * n];
        for (int j = 0; j < n; j++)
            for (int i = 0; i < n; i++)
            {
                double x = (i + 1) * h, y = (j + 1) * h;
                u[i + n * j] = x * (1 - x) * y * (1 - y);
                minusLaplacian[i + n * j] = 2 * y * (1 - y) + 2 * x * (1 - x);
            }
        var au = Reference.Multiply(system.Matrix, u);
        for (int i = 0; i < au.Length; i++) Assert.Equal(minusLaplacian[i], au[i] / (h * h), 1e-9);
        Assert.All(system.RightHandSide, b => Assert.Equal(h * h, b));
    }

    [Fact]
    public void ThreeD_AppliedToBubble_IsExactMinusLaplacian()
    {
        const int n = 11;
        double h = 1.0 / (n + 1);
        var system = Poisson.ThreeD(n);
        var u = new double[n * n * n];
        var expected = new double[u.Length];
        for (int k = 0; k < n; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    double x = (i + 1) * h, y = (j + 1) * h, z = (k + 1) * h;
                    double gx = x * (1 - x), gy = y * (1 - y), gz = z * (1 - z);
                    u[i + n * j + n * n * k] = gx * gy * gz;
                    expected[i + n * j + n * n * k] = 2 * (gy * gz + gx * gz + gx * gy);
                }
        var au = Reference.Multiply(system.Matrix, u);
        for (int i = 0; i < au.Length; i++) Assert.Equal(expected[i], au[i] / (h * h), 1e-9);
    }

    [Fact]
    public void TwoD_BuildsAMillionUnknowns()
    {
        var system = Poisson.TwoD(1000);
        Assert.Equal(1_000_000, system.Matrix.Rows);
        Assert.Equal(5 * 1000 * 1000 - 4 * 1000, system.Matrix.NonZeros);
        Assert.Equal(1000, system.GridSize);
    }

    [Fact]
    public void Generation_IsDeterministic()
    {
        var a = Poisson.TwoD(12);
        var b = Poisson.TwoD(12);
        Assert.Equal(a.Matrix.Values, b.Matrix.Values);
        Assert.Equal(a.Matrix.ColumnIndices, b.Matrix.ColumnIndices);
        Assert.Equal(a.RightHandSide, b.RightHandSide);
    }

    [Theory]
    [InlineData(0), InlineData(-3), InlineData(int.MinValue), InlineData(46341), InlineData(30000)]
    public void TwoD_RejectsSizesOutOfRange_NamingN(int n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Poisson.TwoD(n));
        Assert.Equal("n", e.ParamName);
    }

    [Theory]
    [InlineData(0), InlineData(1291), InlineData(1000), InlineData(int.MaxValue)]
    public void ThreeD_RejectsSizesOutOfRange_NamingN(int n)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Poisson.ThreeD(n));
        Assert.Equal("n", e.ParamName);
    }

    [Fact]
    public void Eigenvalue_RejectsModesOutOfRange()
    {
        Assert.Equal("modes", Assert.Throws<ArgumentOutOfRangeException>(() => Poisson.Eigenvalue(5, 0, 1)).ParamName);
        Assert.Equal("modes", Assert.Throws<ArgumentOutOfRangeException>(() => Poisson.Eigenvalue(5, 1)).ParamName);
        Assert.Equal("n", Assert.Throws<ArgumentOutOfRangeException>(() => Poisson.Eigenvalue(0, 1, 1)).ParamName);
    }
}
