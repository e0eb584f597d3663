using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>
/// The factor and inverse-factor losses against a dense computation of ‖L Lᵀ x − b‖²/‖b‖² and ‖(GᵀG)⁻¹x − b‖²/‖b‖², and
/// their gradients against central differences, on random lower-triangular factors with a positive diagonal (odd sizes).
/// </summary>
public sealed class FactorLossTests
{
    /// <summary>A random lower-triangular CSR factor, diagonal last in each row: a few off-diagonal entries of ±0.4, diagonal in [1, 2].</summary>
    internal static (int[] Rows, int[] Columns, double[] Values) RandomLower(int n, int seed)
    {
        var rng = new Random(seed);
        var rows = new int[n + 1];
        var columns = new List<int>();
        var values = new List<double>();
        for (int i = 0; i < n; i++)
        {
            var below = Enumerable.Range(0, i).Where(_ => rng.NextDouble() < 0.4).ToList();
            foreach (int j in below)
            {
                columns.Add(j);
                values.Add(0.8 * rng.NextDouble() - 0.4);
            }
            columns.Add(i);
            values.Add(1 + rng.NextDouble());
            rows[i + 1] = columns.Count;
        }
        return (rows, [.. columns], [.. values]);
    }

    private static DenseMatrix Dense(int[] rows, int[] columns, double[] values)
    {
        int n = rows.Length - 1;
        var m = new DenseMatrix(n, n);
        for (int i = 0; i < n; i++)
            for (int p = rows[i]; p < rows[i + 1]; p++) m[i, columns[p]] = values[p];
        return m;
    }

    private static double DenseFactorLoss(int[] rows, int[] columns, double[] values, double[] x, double[] b)
    {
        var l = Dense(rows, columns, values);
        var r = l * l.Transpose() * DenseVector.OfArray(x) - DenseVector.OfArray(b);
        return r.DotProduct(r) / DenseVector.OfArray(b).DotProduct(DenseVector.OfArray(b));
    }

    private static double DenseInverseLoss(int[] rows, int[] columns, double[] values, double[] x, double[] b)
    {
        var g = Dense(rows, columns, values);
        var r = (g.Transpose() * g).Solve(DenseVector.OfArray(x)) - DenseVector.OfArray(b);
        return r.DotProduct(r) / DenseVector.OfArray(b).DotProduct(DenseVector.OfArray(b));
    }

    private delegate double LossFunction(int[] rows, int[] columns, double[] values, ReadOnlySpan<double> x, ReadOnlySpan<double> b, Span<double> gradient, FactorLossWorkspace work);

    [Theory]
    [InlineData(5, 1, false)]
    [InlineData(13, 2, false)]
    [InlineData(5, 3, true)]
    [InlineData(13, 4, true)]
    public void Loss_MatchesADenseComputation_AndItsGradientMatchesCentralDifferences(int n, int seed, bool inverse)
    {
        var (rows, columns, values) = RandomLower(n, seed);
        var x = RandomSystems.Vector(n, seed + 10);
        var b = RandomSystems.Vector(n, seed + 20);
        LossFunction loss = inverse ? FactorLoss.Inverse : FactorLoss.Factor;
        var work = new FactorLossWorkspace();
        var gradient = new double[values.Length];
        double value = loss(rows, columns, values, x, b, gradient, work);

        double dense = inverse ? DenseInverseLoss(rows, columns, values, x, b) : DenseFactorLoss(rows, columns, values, x, b);
        Assert.True(Math.Abs(value - dense) <= 1e-12 * dense, $"loss {value:R}, dense {dense:R}");

        var scratch = new double[values.Length];
        double largest = gradient.Max(Math.Abs);
        Assert.True(largest > 0);
        for (int p = 0; p < values.Length; p++)
        {
            const double h = 1e-5;
            var plus = (double[])values.Clone();
            var minus = (double[])values.Clone();
            plus[p] += h;
            minus[p] -= h;
            double numeric = (loss(rows, columns, plus, x, b, scratch, work) - loss(rows, columns, minus, x, b, scratch, work)) / (2 * h);
            // Relative to the entry, with a floor at 1e-3 of the largest entry for entries that are nearly zero.
            double tolerance = 1e-6 * Math.Max(Math.Abs(numeric), 1e-3 * largest);
            Assert.True(Math.Abs(numeric - gradient[p]) <= tolerance,
                $"entry {p} (n {n}, {(inverse ? "inverse" : "factor")}): gradient {gradient[p]:R}, central difference {numeric:R}");
        }
    }

    [Fact]
    public void ExactFactor_HasZeroLoss_ForBothForms()
    {
        var (rows, columns, values) = RandomLower(9, 5);
        var l = Dense(rows, columns, values);
        var x = RandomSystems.Vector(9, 6);
        var b = (l * l.Transpose() * DenseVector.OfArray(x)).ToArray();
        var gradient = new double[values.Length];
        Assert.True(FactorLoss.Factor(rows, columns, values, x, b, gradient, new FactorLossWorkspace()) < 1e-28);
        Assert.All(gradient, g => Assert.True(Math.Abs(g) < 1e-12));
        // M = GᵀG with G's inverse-factor loss: (GᵀG)⁻¹ x = b when x = GᵀG b.
        var g = l;
        var xInverse = (g.Transpose() * g * DenseVector.OfArray(b)).ToArray();
        Assert.True(FactorLoss.Inverse(rows, columns, values, xInverse, b, gradient, new FactorLossWorkspace()) < 1e-28);
    }

    [Fact]
    public void ZeroRightHandSide_IsRefused()
    {
        var (rows, columns, values) = RandomLower(5, 7);
        var gradient = new double[values.Length];
        var x = RandomSystems.Vector(5, 8);
        Assert.Throws<ArgumentException>(() => FactorLoss.Factor(rows, columns, values, x, new double[5], gradient, new FactorLossWorkspace()));
        Assert.Throws<ArgumentException>(() => FactorLoss.Inverse(rows, columns, values, x, new double[5], gradient, new FactorLossWorkspace()));
    }
}
