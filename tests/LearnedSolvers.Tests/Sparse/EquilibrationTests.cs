using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Scaling;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class EquilibrationTests
{
    /// <summary>A random nonsymmetric matrix with rows and columns scaled by 10^[−6, 6]: max entries spread over 24 decades.</summary>
    internal static CsrMatrix BadlyScaled(int n, int seed, double decades = 6)
    {
        var a = RandomSystems.Nonsymmetric(n, seed);
        var rng = new Random(seed + 1);
        var rows = Enumerable.Range(0, n).Select(_ => Math.Pow(10, decades * (2 * rng.NextDouble() - 1))).ToArray();
        var columns = Enumerable.Range(0, n).Select(_ => Math.Pow(10, decades * (2 * rng.NextDouble() - 1))).ToArray();
        return RowColumnScaling.Apply(a, rows, columns);
    }

    private static (double[] Rows, double[] Columns) Maxima(CsrMatrix a)
    {
        var rows = new double[a.Rows];
        var columns = new double[a.Columns];
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                rows[i] = Math.Max(rows[i], Math.Abs(a.Values[k]));
                columns[a.ColumnIndices[k]] = Math.Max(columns[a.ColumnIndices[k]], Math.Abs(a.Values[k]));
            }
        return (rows, columns);
    }

    private static void AssertScaledIsDrADc(CsrMatrix a, RowColumnScaling s)
    {
        Assert.True(s.Scaled.HasSamePattern(a));
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                Assert.Equal(s.RowScaling[i] * a.Values[k] * s.ColumnScaling[a.ColumnIndices[k]], s.Scaled.Values[k], 1e-15 * Math.Abs(s.Scaled.Values[k]));
    }

    [Fact]
    public void Ruiz_ConvergesToRowAndColumnMaximaOfOne()
    {
        var a = BadlyScaled(150, seed: 11);
        var s = Equilibration.Ruiz(a, maxIterations: 60, tolerance: 1e-10);
        Assert.True(s.Iterations < 60, $"Ruiz took all {s.Iterations} passes");
        Assert.True(s.Imbalance() <= 1e-10, $"imbalance {s.Imbalance():E2}");
        var (rows, columns) = Maxima(s.Scaled);
        Assert.All(rows, m => Assert.Equal(1, m, 1e-10));
        Assert.All(columns, m => Assert.Equal(1, m, 1e-10));
        AssertScaledIsDrADc(a, s);
    }

    [Fact]
    public void Ruiz_DefaultPasses_BringA24DecadeSpreadWithinTheTolerance()
    {
        var a = BadlyScaled(150, seed: 12);
        var s = Equilibration.Ruiz(a);
        Assert.True(s.Imbalance() <= 1e-3, $"imbalance {s.Imbalance():E2} after {s.Iterations} passes");
    }

    [Fact]
    public void Ruiz_OnAnEquilibratedMatrix_MakesNoPass()
    {
        var s = Equilibration.Ruiz(CsrMatrix.Identity(5));
        Assert.Equal(0, s.Iterations);
        Assert.All(s.RowScaling, f => Assert.Equal(1.0, f));
    }

    [Fact]
    public void RowThenColumn_GivesRowAndColumnMaximaOne_InOnePass()
    {
        // Off-diagonal entries dominate half the rows here, so the row maxima do not all sit on the diagonal.
        var a = RowColumnScaling.Apply(RandomSystems.Nonsymmetric(97, seed: 13, dominance: 0.3),
            RandomSystems.Vector(97, seed: 14, low: 1e-5, high: 1e5), RandomSystems.Vector(97, seed: 15, low: 1e-5, high: 1e5));
        var s = Equilibration.RowThenColumn(a);
        Assert.Equal(1, s.Iterations);
        var (rows, columns) = Maxima(s.Scaled);
        Assert.All(columns, m => Assert.Equal(1, m, 1e-15));
        Assert.All(rows, m => Assert.Equal(1, m, 1e-15));
        Assert.Contains(s.ColumnScaling, f => f != 1); // the column pass did something
        AssertScaledIsDrADc(a, s);
    }

    [Fact]
    public void Ruiz_KeepsASymmetricMatrixSymmetric()
    {
        var spd = RandomSystems.Spd(80, seed: 16);
        var d = RandomSystems.Vector(80, seed: 17, low: 1e-4, high: 1e4);
        var a = RowColumnScaling.Apply(spd, d, d);
        var s = Equilibration.Ruiz(a);
        Assert.Equal(s.RowScaling, s.ColumnScaling);
        Assert.True(s.Scaled.IsSymmetric());
        Assert.True(s.Imbalance() <= 1e-3);
    }

    [Fact]
    public void EmptyRowsAndColumns_KeepTheFactorOne()
    {
        var b = new TripletBuilder(3, 4);
        b.Add(0, 0, 8);
        b.Add(2, 3, 1e-4);
        var a = b.ToCsr();
        foreach (var s in new[] { Equilibration.Ruiz(a), Equilibration.RowThenColumn(a) })
        {
            Assert.Equal(1.0, s.RowScaling[1]);
            Assert.Equal(1.0, s.ColumnScaling[1]);
            Assert.Equal(1.0, s.ColumnScaling[2]);
            Assert.Equal(1, Math.Abs(s.Scaled[0, 0]), 1e-12);
            Assert.Equal(1, Math.Abs(s.Scaled[2, 3]), 1e-12);
        }
    }

    [Fact]
    public void BadArguments_AreRejected_WithTheirNames()
    {
        var a = CsrMatrix.Identity(3);
        Assert.Equal("maxIterations", Assert.Throws<ArgumentOutOfRangeException>(() => Equilibration.Ruiz(a, maxIterations: 0)).ParamName);
        Assert.Equal("tolerance", Assert.Throws<ArgumentOutOfRangeException>(() => Equilibration.Ruiz(a, tolerance: double.NaN)).ParamName);
        Assert.Equal("rowScaling", Assert.Throws<ArgumentException>(() => new RowColumnScaling(a, [1, 0, 1], [1, 1, 1])).ParamName);
        Assert.Equal("columnScaling", Assert.Throws<ArgumentException>(() => new RowColumnScaling(a, [1, 1, 1], [1, 1])).ParamName);
    }
}
