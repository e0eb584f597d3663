using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Learned.Nn;

public abstract partial class NetworkKernelTests
{
    /// <summary>
    /// Convolutions that reach every path of a tiled implementation: widths that leave whole strips of vectors, single
    /// vectors and a partial vector; output channel counts that are and are not multiples of four; Cin ≠ Cout;
    /// non-square kernels; dilation; images tall enough to need several row blocks; 2-D and 3-D.
    /// </summary>
    private static readonly ConvolutionCase[] s_cases =
    [
        new(2, 3, 5, 0, 7, 37, 0, 3, 3, 1),
        new(1, 4, 4, 0, 5, 70, 0, 3, 3, 2),
        new(3, 2, 1, 0, 6, 9, 0, 5, 5, 1),
        new(2, 1, 6, 0, 11, 20, 0, 1, 1, 1),
        new(2, 3, 2, 0, 6, 21, 0, 3, 5, 1),
        new(1, 16, 8, 0, 100, 70, 0, 3, 3, 1),
        new(2, 3, 5, 4, 5, 19, 3, 3, 3, 1),
        new(1, 2, 4, 5, 6, 7, 3, 1, 3, 2),
        new(1, 5, 3, 3, 4, 33, 1, 3, 5, 1),
    ];

    public static TheoryData<int> ConvolutionCases => [.. Enumerable.Range(0, s_cases.Length)];

    /// <summary>Random x, w, b and dy of one case (the values are floats, held as doubles).</summary>
    private static (double[] X, double[] W, double[] B, double[] Dy) RandomConvolution(ConvolutionCase c, int seed) =>
        (RandomValues(c.InputLength, seed), RandomValues(c.WeightLength, seed + 1), RandomValues(c.OutputChannels, seed + 2), RandomValues(c.OutputLength, seed + 3));

    [Fact]
    public void Convolution_HandWorked_3x3On4x4_TwoChannels_PinsLayoutPaddingAndBias()
    {
        // x [1, 2, 4, 4]: channel 0 holds 1..16 row by row, channel 1 is all ones.
        var x = new float[32];
        for (int i = 0; i < 16; i++) x[i] = i + 1;
        for (int i = 16; i < 32; i++) x[i] = 1;
        // w [Cout 2, Cin 2, 3, 3]. w[0, 0] reads the upper-left neighbour once and the lower-right one twice (a
        // cross-correlation: tap (0, 0) multiplies x[r − 1, c − 1]); w[0, 1] is 10 at the centre; w[1, 0] is the identity.
        float[] w =
        [
            1, 0, 0, 0, 0, 0, 0, 0, 2,
            0, 0, 0, 0, 10, 0, 0, 0, 0,
            0, 0, 0, 0, 1, 0, 0, 0, 0,
            0, 0, 0, 0, 0, 0, 0, 0, 0,
        ];
        float[] bias = [0.5f, -1];
        using var dx = Upload(x, 1, 2, 4, 4);
        using var dw = Upload(w, 2, 2, 3, 3);
        using var db = Upload(bias, 2);
        using var y = Zeros(1, 2, 4, 4);
        Kernels.Convolution(dx, dw, db, y);

        // y[0, r, c] = x0[r − 1, c − 1] + 2·x0[r + 1, c + 1] (zero outside) + 10·1 + 0.5, e.g.
        // (0, 0): 0 + 2·6 + 10.5 = 22.5; (1, 1): 1 + 2·11 + 10.5 = 33.5; (0, 3): 0 + 0 + 10.5; (3, 3): 11 + 0 + 10.5 = 21.5.
        float[] channel0 =
        [
            22.5f, 24.5f, 26.5f, 10.5f,
            30.5f, 33.5f, 36.5f, 13.5f,
            38.5f, 45.5f, 48.5f, 17.5f,
            10.5f, 19.5f, 20.5f, 21.5f,
        ];
        // y[1] = x0 − 1: the second output channel reads only the first input channel's centre.
        var channel1 = Enumerable.Range(0, 16).Select(i => (float)i).ToArray();
        Assert.Equal([.. channel0, .. channel1], y.ToArray());
    }

    [Fact]
    public void Convolution_HandWorked_Dilation2_PadsByTwo()
    {
        // All ones through an all-ones 3×3 kernel at dilation 2 on 5×5: the taps of row r are rows r − 2, r, r + 2, so
        // the count of taps inside the image per axis is [2, 2, 3, 2, 2] and y[r, c] = count[r]·count[c].
        using var ones = Filled(1, 1, 1, 5, 5);
        using var kernel = Filled(1, 1, 1, 3, 3);
        using var y = Zeros(1, 1, 5, 5);
        Kernels.Convolution(ones, kernel, null, y, dilation: 2);
        int[] count = [2, 2, 3, 2, 2];
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (float)(count[i / 5] * count[i % 5])).ToArray(), y.ToArray());

        // A single tap at kernel row 1, column 2 reads x[r, c + 2]: x[r, c] = 5r + c moves two columns left, zeros enter.
        using var ramp = Upload(Enumerable.Range(0, 25).Select(i => (float)i).ToArray(), 1, 1, 5, 5);
        var tap = new float[9];
        tap[1 * 3 + 2] = 1;
        using var shift = Upload(tap, 1, 1, 3, 3);
        Kernels.Convolution(ramp, shift, null, y, dilation: 2);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => i % 5 + 2 < 5 ? (float)(i + 2) : 0f).ToArray(), y.ToArray());
    }

    [Fact]
    public void Convolution_HandWorked_3D_PinsDepthOrder()
    {
        // x [1, 1, 3, 3, 3] = 9z + 3r + c + 1; the kernel has tap (0, 1, 1) (the plane before, same row and column) and
        // tap (2, 2, 2) (the plane after, one row down, one column right): y = x[z − 1, r, c] + x[z + 1, r + 1, c + 1].
        using var x = Upload(Enumerable.Range(1, 27).Select(i => (float)i).ToArray(), 1, 1, 3, 3, 3);
        var taps = new float[27];
        taps[0 * 9 + 1 * 3 + 1] = 1;
        taps[2 * 9 + 2 * 3 + 2] = 1;
        using var w = Upload(taps, 1, 1, 3, 3, 3);
        using var y = Zeros(1, 1, 3, 3, 3);
        Kernels.Convolution(x, w, null, y);
        var result = y.ToArray();
        Assert.Equal(14f, result[0]);               // (0, 0, 0): 0 + x[1, 1, 1] = 9 + 3 + 1 + 1
        Assert.Equal(32f, result[9 + 3 + 1]);       // (1, 1, 1): x[0, 1, 1] = 5, + x[2, 2, 2] = 27
        Assert.Equal(18f, result[26]);              // (2, 2, 2): x[1, 2, 2] = 18, + 0
        Assert.Equal(7f, result[9 + 6]);            // (1, 2, 0): x[0, 2, 0] = 7, + 0 (row 3 is outside)
        float X(int z, int r, int c) => z is < 0 or > 2 || r is < 0 or > 2 || c is < 0 or > 2 ? 0 : 9 * z + 3 * r + c + 1;
        for (int z = 0; z < 3; z++)
            for (int r = 0; r < 3; r++)
                for (int c = 0; c < 3; c++)
                    Assert.Equal(X(z - 1, r, c) + X(z + 1, r + 1, c + 1), result[9 * z + 3 * r + c]);
    }

    [Theory, MemberData(nameof(ConvolutionCases))]
    public void Convolution_MatchesNaiveReference(int index)
    {
        var c = s_cases[index];
        var (x, w, b, _) = RandomConvolution(c, 10 * index);
        using var dx = Upload(x, c.InputShape);
        using var dw = Upload(w, c.WeightShape);
        using var db = Upload(b, c.OutputChannels);
        using var y = Filled(float.NaN, c.OutputShape);
        Kernels.Convolution(dx, dw, db, y, c.Dilation);
        var (expected, magnitude) = NetworkReference.Convolution(c, x, w, b);
        AssertClose(expected, ToDouble(y), magnitude, 1e-5, $"y of {c}");
    }

    [Theory, MemberData(nameof(ConvolutionCases))]
    public void ConvolutionBackwardInput_MatchesNaiveReference_AndAccumulates(int index)
    {
        var c = s_cases[index];
        var (_, w, _, dy) = RandomConvolution(c, 10 * index);
        using var ddy = Upload(dy, c.OutputShape);
        using var dw = Upload(w, c.WeightShape);
        using var dx = Filled(float.NaN, c.InputShape);
        Kernels.ConvolutionBackwardInput(ddy, dw, dx, c.Dilation);
        var (expected, magnitude) = NetworkReference.ConvolutionBackwardInput(c, dy, w);
        AssertClose(expected, ToDouble(dx), magnitude, 1e-5, $"dx of {c}");

        var prior = RandomValues(c.InputLength, 10 * index + 7);
        using var sum = Upload(prior, c.InputShape);
        Kernels.ConvolutionBackwardInput(ddy, dw, sum, c.Dilation, accumulate: true);
        AssertClose(Add(prior, expected), ToDouble(sum), Add(magnitude, Array.ConvertAll(prior, Math.Abs)), 1e-5, $"accumulated dx of {c}");
    }

    [Theory, MemberData(nameof(ConvolutionCases))]
    public void ConvolutionBackwardWeight_MatchesNaiveReference_AndAccumulates(int index)
    {
        var c = s_cases[index];
        var (x, _, _, dy) = RandomConvolution(c, 10 * index);
        using var dx = Upload(x, c.InputShape);
        using var ddy = Upload(dy, c.OutputShape);
        using var dw = Filled(float.NaN, c.WeightShape);
        using var db = Filled(float.NaN, c.OutputChannels);
        Kernels.ConvolutionBackwardWeight(dx, ddy, dw, db, c.Dilation);
        var (expected, magnitude, bias) = NetworkReference.ConvolutionBackwardWeight(c, x, dy);
        var biasMagnitude = new double[c.OutputChannels];
        for (int k = 0; k < dy.Length; k++) biasMagnitude[k / c.Volume % c.OutputChannels] += Math.Abs(dy[k]);
        AssertClose(expected, ToDouble(dw), magnitude, 1e-5, $"dWeight of {c}");
        AssertClose(bias, ToDouble(db), biasMagnitude, 1e-5, $"dBias of {c}");

        var priorW = RandomValues(c.WeightLength, 10 * index + 8);
        var priorB = RandomValues(c.OutputChannels, 10 * index + 9);
        using var sumW = Upload(priorW, c.WeightShape);
        using var sumB = Upload(priorB, c.OutputChannels);
        Kernels.ConvolutionBackwardWeight(dx, ddy, sumW, sumB, c.Dilation, accumulate: true);
        AssertClose(Add(priorW, expected), ToDouble(sumW), Add(magnitude, Array.ConvertAll(priorW, Math.Abs)), 1e-5, $"accumulated dWeight of {c}");
        AssertClose(Add(priorB, bias), ToDouble(sumB), Add(biasMagnitude, Array.ConvertAll(priorB, Math.Abs)), 1e-5, $"accumulated dBias of {c}");

        // Without a bias gradient the weight gradient is the same.
        using var alone = Zeros(c.WeightShape);
        Kernels.ConvolutionBackwardWeight(dx, ddy, alone, null, c.Dilation);
        Assert.Equal(dw.ToArray(), alone.ToArray());
    }

    /// <summary>
    /// The backward kernels against central differences of L(x, w, b) = Σ dy ∘ conv(x, w, b), the loss evaluated in
    /// double by the naive reference forward convolution (L is linear in each argument, so the difference quotient is
    /// exact up to double rounding).
    /// </summary>
    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void ConvolutionGradients_MatchCentralDifferencesOfTheReferenceForward(int index)
    {
        var c = s_cases[index];
        var (x, w, b, dy) = RandomConvolution(c, 100 + index);
        double Loss(double[] xs, double[] ws, double[] bs) => NetworkReference.Dot(dy, NetworkReference.Convolution(c, xs, ws, bs).Y);
        const double h = 1e-3;
        double Difference(double[] values, int k, Func<double> loss)
        {
            double saved = values[k];
            values[k] = saved + h;
            double plus = loss();
            values[k] = saved - h;
            double minus = loss();
            values[k] = saved;
            return (plus - minus) / (2 * h);
        }

        using var dx = Upload(x, c.InputShape);
        using var dw = Upload(w, c.WeightShape);
        using var ddy = Upload(dy, c.OutputShape);
        using var gx = Zeros(c.InputShape);
        using var gw = Zeros(c.WeightShape);
        using var gb = Zeros(c.OutputChannels);
        Kernels.ConvolutionBackwardInput(ddy, dw, gx, c.Dilation);
        Kernels.ConvolutionBackwardWeight(dx, ddy, gw, gb, c.Dilation);
        var inputMagnitude = NetworkReference.ConvolutionBackwardInput(c, dy, w).Magnitude;
        var weightMagnitude = NetworkReference.ConvolutionBackwardWeight(c, x, dy).Magnitude;

        var inputGradient = ToDouble(gx);
        var random = new Random(index);
        for (int sample = 0; sample < 24; sample++)
        {
            int k = random.Next(x.Length);
            double fd = Difference(x, k, () => Loss(x, w, b));
            Assert.True(Math.Abs(inputGradient[k] - fd) <= 1e-5 * Math.Max(inputMagnitude[k], 1e-3), $"dx[{k}] = {inputGradient[k]}, finite difference {fd} ({c})");
        }
        var weightGradient = ToDouble(gw);
        for (int k = 0; k < w.Length; k++)
        {
            double fd = Difference(w, k, () => Loss(x, w, b));
            Assert.True(Math.Abs(weightGradient[k] - fd) <= 1e-5 * Math.Max(weightMagnitude[k], 1e-3), $"dWeight[{k}] = {weightGradient[k]}, finite difference {fd} ({c})");
        }
        var biasGradient = ToDouble(gb);
        for (int k = 0; k < b.Length; k++)
        {
            double fd = Difference(b, k, () => Loss(x, w, b));
            Assert.True(Math.Abs(biasGradient[k] - fd) <= 1e-5 * Math.Max(Math.Abs(fd), 1), $"dBias[{k}] = {biasGradient[k]}, finite difference {fd} ({c})");
        }
    }

    /// <summary>
    /// ⟨dy, J v⟩ = ⟨Jᵀ dy, v⟩ in float for both Jacobians of the convolution: J = conv(·, w) with Jᵀ the input gradient,
    /// and J = conv(x, ·) with Jᵀ the weight gradient. Each side is a float sum whose error is at most (terms − 1)·u per
    /// term magnitude, so the two sides may differ by (terms per output + terms per gradient entry)·u·A, with
    /// A = Σ |dy| ∘ (|w| ⋆ |x|) the magnitude of the bilinear form.
    /// </summary>
    [Theory, MemberData(nameof(ConvolutionCases))]
    public void ConvolutionBackward_SatisfiesTheAdjointIdentityInFloat(int index)
    {
        var c = s_cases[index];
        var (x, w, _, dy) = RandomConvolution(c, 200 + index);
        var v = RandomValues(c.WeightLength, 300 + index);
        using var dx = Upload(x, c.InputShape);
        using var dw = Upload(w, c.WeightShape);
        using var dv = Upload(v, c.WeightShape);
        using var ddy = Upload(dy, c.OutputShape);
        using var y = Zeros(c.OutputShape);
        using var gx = Zeros(c.InputShape);
        using var gw = Zeros(c.WeightShape);

        Kernels.Convolution(dx, dw, null, y, c.Dilation);
        Kernels.ConvolutionBackwardInput(ddy, dw, gx, c.Dilation);
        double left = NetworkReference.Dot(dy, ToDouble(y)), right = NetworkReference.Dot(ToDouble(gx), x);
        double scale = NetworkReference.AbsDot(dy, NetworkReference.Convolution(c, x, w, null).Magnitude);
        double allowed = (c.InputChannels + c.OutputChannels) * c.Taps * Roundoff * scale;
        Assert.True(Math.Abs(left - right) <= allowed, $"⟨dy, conv(x)⟩ = {left:R}, ⟨convᵀ(dy), x⟩ = {right:R}, allowed {allowed:G3} ({c})");

        Kernels.Convolution(dx, dv, null, y, c.Dilation);
        Kernels.ConvolutionBackwardWeight(dx, ddy, gw, null, c.Dilation);
        left = NetworkReference.Dot(dy, ToDouble(y));
        right = NetworkReference.Dot(ToDouble(gw), v);
        scale = NetworkReference.AbsDot(dy, NetworkReference.Convolution(c, x, v, null).Magnitude);
        allowed = (c.InputChannels * c.Taps + c.Batch * c.Volume) * Roundoff * scale;
        Assert.True(Math.Abs(left - right) <= allowed, $"⟨dy, conv(x, v)⟩ = {left:R}, ⟨dW, v⟩ = {right:R}, allowed {allowed:G3} ({c})");
    }

    [Fact]
    public void Convolutions_GiveTheSameBitsOnEveryRun()
    {
        var c = s_cases[5];
        var (x, w, b, dy) = RandomConvolution(c, 5);
        using var dx = Upload(x, c.InputShape);
        using var dw = Upload(w, c.WeightShape);
        using var db = Upload(b, c.OutputChannels);
        using var ddy = Upload(dy, c.OutputShape);
        using var y = Zeros(c.OutputShape);
        using var gx = Zeros(c.InputShape);
        using var gw = Zeros(c.WeightShape);
        using var gb = Zeros(c.OutputChannels);
        (float[] Y, float[] Gx, float[] Gw, float[] Gb) Run()
        {
            Kernels.Convolution(dx, dw, db, y, c.Dilation);
            Kernels.ConvolutionBackwardInput(ddy, dw, gx, c.Dilation);
            Kernels.ConvolutionBackwardWeight(dx, ddy, gw, gb, c.Dilation);
            return (y.ToArray(), gx.ToArray(), gw.ToArray(), gb.ToArray());
        }
        var first = Run();
        for (int run = 0; run < 3; run++)
        {
            var again = Run();
            AssertBitwiseEqual(first.Y, again.Y, "y");
            AssertBitwiseEqual(first.Gx, again.Gx, "dx");
            AssertBitwiseEqual(first.Gw, again.Gw, "dWeight");
            AssertBitwiseEqual(first.Gb, again.Gb, "dBias");
        }
    }

    [Fact]
    public void Convolution_OnAViewOfABatch_ReadsAndWritesOnlyThatSample()
    {
        var c = s_cases[0] with { Batch = 1 };
        var (x, w, b, _) = RandomConvolution(c, 42);
        var batch = RandomValues(3 * c.InputLength, 43);
        Array.Copy(x, 0, batch, c.InputLength, c.InputLength);
        using var xs = Upload(batch, [3, .. c.InputShape[1..]]);
        using var dw = Upload(w, c.WeightShape);
        using var db = Upload(b, c.OutputChannels);
        using var ys = Filled(7, [3, .. c.OutputShape[1..]]);
        using var xView = xs.Slice(1).Reshape(new LearnedSolvers.Devices.Shape(c.InputShape));
        using var yView = ys.Slice(1).Reshape(new LearnedSolvers.Devices.Shape(c.OutputShape));
        Kernels.Convolution(xView, dw, db, yView, c.Dilation);
        var (expected, magnitude) = NetworkReference.Convolution(c, x, w, b);
        var all = ys.ToArray();
        AssertClose(expected, Array.ConvertAll(all[c.OutputLength..(2 * c.OutputLength)], v => (double)v), magnitude, 1e-5, "y of sample 1");
        Assert.All(all[..c.OutputLength], v => Assert.Equal(7f, v));
        Assert.All(all[(2 * c.OutputLength)..], v => Assert.Equal(7f, v));
    }

    [Fact]
    public void Convolutions_AllocateNothingOnceWarm()
    {
        var c = s_cases[6];
        var (x, w, b, dy) = RandomConvolution(c, 6);
        using var dx = Upload(x, c.InputShape);
        using var dw = Upload(w, c.WeightShape);
        using var db = Upload(b, c.OutputChannels);
        using var ddy = Upload(dy, c.OutputShape);
        using var y = Zeros(c.OutputShape);
        using var gx = Zeros(c.InputShape);
        using var gw = Zeros(c.WeightShape);
        using var gb = Zeros(c.OutputChannels);
        var (_, bytes) = Allocations.Least(() =>
        {
            Kernels.Convolution(dx, dw, db, y, c.Dilation);
            Kernels.ConvolutionBackwardInput(ddy, dw, gx, c.Dilation, accumulate: true);
            Kernels.ConvolutionBackwardWeight(dx, ddy, gw, gb, c.Dilation, accumulate: true);
            return 0;
        });
        Assert.Equal(0, bytes);
    }
}
