using LearnedSolvers.Problems;

namespace LearnedSolvers.Tests.Problems;

public class GaussianRandomFieldTests
{
    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Skip_LeavesTheStreamWhereASampleLeavesIt(int dimension)
    {
        var field = new GaussianRandomField(9, dimension, correlationLength: 0.2);
        var drawn = new Random(3);
        field.Sample(drawn);
        var skipped = new Random(3);
        field.Skip(skipped);
        Assert.Equal(field.Sample(drawn), field.Sample(skipped));
        Assert.Equal(drawn.NextDouble(), skipped.NextDouble());
    }

    [Fact]
    public void SameSeed_GivesIdenticalBits_DifferentSeedDiffers()
    {
        var field = new GaussianRandomField(33, correlationLength: 0.1);
        var a = field.Sample(new Random(7));
        var b = new GaussianRandomField(33, correlationLength: 0.1).Sample(new Random(7));
        var c = field.Sample(new Random(8));
        Assert.Equal(33 * 33, a.Length);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Theory]
    [InlineData(CovarianceKind.Exponential, 2.0)]
    [InlineData(CovarianceKind.Gaussian, 0.5)]
    [InlineData(CovarianceKind.Cubic, 1.0)]
    [InlineData(CovarianceKind.Matern32, 0.3)]
    public void EmpiricalVariance_MatchesRequested(CovarianceKind kind, double variance)
    {
        var field = new GaussianRandomField(65, 2, kind, correlationLength: 0.05, variance: variance);
        var random = new Random(42);
        double sum = 0, sumSquares = 0;
        long count = 0;
        for (int s = 0; s < 15; s++)
        {
            var (first, second) = field.SamplePair(random);
            foreach (var sample in new[] { first, second })
                foreach (double v in sample)
                {
                    sum += v;
                    sumSquares += v * v;
                    count++;
                }
        }
        double mean = sum / count;
        Assert.True(Math.Abs(mean) < 0.05 * Math.Sqrt(variance), $"mean {mean}");
        Assert.InRange(sumSquares / count, 0.9 * variance, 1.1 * variance);
    }

    [Theory]
    [InlineData(CovarianceKind.Exponential)]
    [InlineData(CovarianceKind.Gaussian)]
    [InlineData(CovarianceKind.Cubic)]
    [InlineData(CovarianceKind.Matern32)]
    public void EmpiricalCorrelation_DecaysAsTheCovariance(CovarianceKind kind)
    {
        const int m = 65;
        var field = new GaussianRandomField(m, 2, kind, correlationLength: 0.1, variance: 1.0);
        var random = new Random(3);
        int[] lags = [2, 4, 6, 10, 16];
        var products = new double[lags.Length];
        var counts = new long[lags.Length];
        for (int s = 0; s < 25; s++)
        {
            var (first, second) = field.SamplePair(random);
            foreach (var phi in new[] { first, second })
            {
                for (int l = 0; l < lags.Length; l++)
                {
                    int lag = lags[l];
                    for (int j = 0; j < m; j++)
                        for (int i = 0; i + lag < m; i++)
                        {
                            // Along x and along y: the covariance is isotropic.
                            products[l] += phi[i + m * j] * phi[i + lag + m * j] + phi[j + m * i] * phi[j + m * (i + lag)];
                            counts[l] += 2;
                        }
                }
            }
        }
        for (int l = 0; l < lags.Length; l++)
        {
            double expected = field.Covariance(lags[l] * field.Spacing);
            double measured = products[l] / counts[l];
            Assert.True(Math.Abs(measured - expected) < 0.06, $"{kind}, lag {lags[l]} ({lags[l] * field.Spacing:F3}): correlation {measured:F3}, covariance says {expected:F3}");
        }
    }

    [Fact]
    public void PairFields_AreUncorrelated()
    {
        var field = new GaussianRandomField(65, correlationLength: 0.05);
        var random = new Random(9);
        double cross = 0, first2 = 0;
        for (int s = 0; s < 10; s++)
        {
            var (a, b) = field.SamplePair(random);
            for (int i = 0; i < a.Length; i++)
            {
                cross += a[i] * b[i];
                first2 += a[i] * a[i];
            }
        }
        Assert.True(Math.Abs(cross / first2) < 0.05, $"correlation {cross / first2}");
    }

    [Theory]
    [InlineData(CovarianceKind.Exponential)]
    [InlineData(CovarianceKind.Gaussian)]
    [InlineData(CovarianceKind.Cubic)]
    [InlineData(CovarianceKind.Matern32)]
    public void ConDiffSettings_NeedNoEigenvalueClamping(CovarianceKind kind)
    {
        var field = new GaussianRandomField(129, 2, kind, correlationLength: 0.05, variance: 1.0, spacing: 1.0 / 129);
        Assert.Equal(256, field.EmbeddingSize);
        Assert.True(field.NegativeEigenvalueFraction < 1e-12, $"{field.NegativeEigenvalueFraction}");
    }

    [Theory]
    [InlineData(50)]
    [InlineData(80)]
    public void SkrDarcyField_IsAnExactMatern32EmbeddingWithTheVarianceOfTheirGrf(int n)
    {
        var o = DiffusionOptions.SkrDarcy(n);
        var field = new GaussianRandomField(n + 1, 2, o.Covariance, o.CorrelationLength, o.Variance, spacing: 1.0 / (n + 1));
        Assert.True(field.NegativeEigenvalueFraction < 1e-8, $"{field.NegativeEigenvalueFraction}");
        Assert.Equal(1 / (3 * Math.PI), field.Covariance(0), 1e-15);
        Assert.Equal(field.Covariance(0) * (1 + 1.0) * Math.Exp(-1.0), field.Covariance(1.0 / 7), 1e-15); // √3 r/ℓ = 7 r
    }

    [Fact]
    public void ThreeD_HasRequestedVariance()
    {
        var field = new GaussianRandomField(17, 3, CovarianceKind.Exponential, correlationLength: 0.1, variance: 0.4);
        var random = new Random(1);
        double sumSquares = 0;
        long count = 0;
        for (int s = 0; s < 10; s++)
            foreach (double v in field.Sample(random))
            {
                sumSquares += v * v;
                count++;
            }
        Assert.Equal(17 * 17 * 17, field.Count);
        Assert.InRange(sumSquares / count, 0.36, 0.44);
    }

    [Fact]
    public void Covariance_FollowsTheModelDefinitions()
    {
        var exponential = new GaussianRandomField(9, correlationLength: 0.2, variance: 3, covariance: CovarianceKind.Exponential);
        Assert.Equal(3.0, exponential.Covariance(0));
        Assert.Equal(3 * Math.Exp(-1), exponential.Covariance(0.2), 1e-15);
        var gaussian = new GaussianRandomField(9, correlationLength: 0.2, variance: 3, covariance: CovarianceKind.Gaussian);
        Assert.Equal(3 * Math.Exp(-4), gaussian.Covariance(0.4), 1e-15);
        var cubic = new GaussianRandomField(9, correlationLength: 0.2, variance: 3, covariance: CovarianceKind.Cubic);
        Assert.Equal(0.0, cubic.Covariance(0.2));
        Assert.Equal(0.0, cubic.Covariance(0.5));
        Assert.Equal(3 * (1 - 7 * 0.25 + 8.75 * 0.125 - 3.5 / 32 + 0.75 / 128), cubic.Covariance(0.1), 1e-14);
    }

    [Fact]
    public void Constructor_RejectsBadArguments_NamingThem()
    {
        Assert.Equal("pointsPerSide", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(1)).ParamName);
        Assert.Equal("pointsPerSide", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(5000, 3)).ParamName);
        Assert.Equal("dimension", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, 4)).ParamName);
        Assert.Equal("correlationLength", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, correlationLength: double.NaN)).ParamName);
        Assert.Equal("correlationLength", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, correlationLength: 0)).ParamName);
        Assert.Equal("variance", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, variance: -1)).ParamName);
        Assert.Equal("variance", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, variance: double.PositiveInfinity)).ParamName);
        Assert.Equal("spacing", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, spacing: double.NaN)).ParamName);
        Assert.Equal("covariance", Assert.Throws<ArgumentOutOfRangeException>(() => new GaussianRandomField(9, covariance: (CovarianceKind)99)).ParamName);
    }
}
