using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Problems;

public class FftTests
{
    [Theory]
    [InlineData(1), InlineData(2), InlineData(4), InlineData(8), InlineData(64), InlineData(256)]
    public void Forward_MatchesNaiveDft(int n)
    {
        var re = RandomSystems.Vector(n, seed: n);
        var im = RandomSystems.Vector(n, seed: n + 1000);
        var (expectedRe, expectedIm) = NaiveDft(re, im, [n]);
        new Fft(n).Forward(re, im);
        AssertClose(expectedRe, expectedIm, re, im);
    }

    [Fact]
    public void Inverse_OfForward_IsNTimesInput()
    {
        const int n = 128;
        var re = RandomSystems.Vector(n, seed: 5);
        var im = RandomSystems.Vector(n, seed: 6);
        var (re0, im0) = ((double[])re.Clone(), (double[])im.Clone());
        var fft = new Fft(n);
        fft.Forward(re, im);
        fft.Inverse(re, im);
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(n * re0[i], re[i], 1e-11);
            Assert.Equal(n * im0[i], im[i], 1e-11);
        }
    }

    [Theory]
    [InlineData(8, 2), InlineData(4, 3), InlineData(16, 2)]
    public void ForwardMultidimensional_MatchesNaiveDft(int n, int dimension)
    {
        int total = (int)Math.Pow(n, dimension);
        var re = RandomSystems.Vector(total, seed: 11);
        var im = RandomSystems.Vector(total, seed: 12);
        var (expectedRe, expectedIm) = NaiveDft(re, im, Enumerable.Repeat(n, dimension).ToArray());
        new Fft(n).ForwardMultidimensional(re, im, dimension);
        AssertClose(expectedRe, expectedIm, re, im);
    }

    [Theory]
    [InlineData(0), InlineData(3), InlineData(12), InlineData(-8)]
    public void Constructor_RejectsLengthsThatAreNotPowersOfTwo(int n)
    {
        Assert.Equal("length", Assert.Throws<ArgumentOutOfRangeException>(() => new Fft(n)).ParamName);
    }

    /// <summary>X_k = Σ_j x_j exp(-2πi k·j/n) over a d-dimensional index, axis 0 fastest.</summary>
    private static (double[] Re, double[] Im) NaiveDft(double[] re, double[] im, int[] shape)
    {
        int total = re.Length;
        var outRe = new double[total];
        var outIm = new double[total];
        for (int k = 0; k < total; k++)
        {
            double sr = 0, si = 0;
            for (int j = 0; j < total; j++)
            {
                double phase = 0;
                int kk = k, jj = j;
                foreach (int n in shape)
                {
                    phase += (double)(kk % n) * (jj % n) / n;
                    kk /= n;
                    jj /= n;
                }
                (double sin, double cos) = Math.SinCos(-2 * Math.PI * phase);
                sr += re[j] * cos - im[j] * sin;
                si += re[j] * sin + im[j] * cos;
            }
            outRe[k] = sr;
            outIm[k] = si;
        }
        return (outRe, outIm);
    }

    private static void AssertClose(double[] expectedRe, double[] expectedIm, double[] re, double[] im)
    {
        double scale = 1;
        foreach (double v in expectedRe) scale = Math.Max(scale, Math.Abs(v));
        for (int i = 0; i < re.Length; i++)
        {
            Assert.True(Math.Abs(expectedRe[i] - re[i]) <= 1e-12 * scale, $"Re[{i}]: {re[i]} vs {expectedRe[i]}");
            Assert.True(Math.Abs(expectedIm[i] - im[i]) <= 1e-12 * scale, $"Im[{i}]: {im[i]} vs {expectedIm[i]}");
        }
    }
}
