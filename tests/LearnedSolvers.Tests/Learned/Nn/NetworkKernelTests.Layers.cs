using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Tests.Learned.Nn;

public abstract partial class NetworkKernelTests
{
    [Theory]
    [InlineData(1, 3, 2)]
    [InlineData(37, 19, 23)]
    [InlineData(300, 64, 64)]
    public void Linear_AndItsGradients_MatchTheReference_AndAccumulate(int rows, int inputs, int outputs)
    {
        var x = RandomValues(rows * inputs, 1);
        var w = RandomValues(outputs * inputs, 2);
        var b = RandomValues(outputs, 3);
        var dy = RandomValues(rows * outputs, 4);
        using var dx = Upload(x, rows, inputs);
        using var dw = Upload(w, outputs, inputs);
        using var db = Upload(b, outputs);
        using var ddy = Upload(dy, rows, outputs);

        using var y = Filled(float.NaN, rows, outputs);
        Kernels.Linear(dx, dw, db, y);
        AssertClose(NetworkReference.Linear(x, w, b, rows, inputs, outputs), ToDouble(y), 1e-5 * inputs, "y", floor: 1);

        // dx = dy w is the reference linear map with wᵀ as weight; dW = dyᵀ x likewise with the rows as the inner dimension.
        var wt = new double[w.Length];
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++) wt[i * outputs + o] = w[o * inputs + i];
        var expectedDx = NetworkReference.Linear(dy, wt, null, rows, outputs, inputs);
        using var gx = Filled(float.NaN, rows, inputs);
        Kernels.LinearBackwardInput(ddy, dw, gx);
        AssertClose(expectedDx, ToDouble(gx), 1e-5 * outputs, "dx", floor: 1);
        Kernels.LinearBackwardInput(ddy, dw, gx, accumulate: true);
        AssertClose(Add(expectedDx, expectedDx), ToDouble(gx), 1e-5 * outputs, "accumulated dx", floor: 1);

        var dyT = new double[dy.Length];
        var xT = new double[x.Length];
        for (int m = 0; m < rows; m++)
        {
            for (int o = 0; o < outputs; o++) dyT[o * rows + m] = dy[m * outputs + o];
            for (int i = 0; i < inputs; i++) xT[i * rows + m] = x[m * inputs + i];
        }
        var expectedDw = NetworkReference.Linear(dyT, xT, null, outputs, rows, inputs);
        var expectedDb = Enumerable.Range(0, outputs).Select(o => Enumerable.Range(0, rows).Sum(m => dy[m * outputs + o])).ToArray();
        using var gw = Filled(float.NaN, outputs, inputs);
        using var gb = Filled(float.NaN, outputs);
        Kernels.LinearBackwardWeight(dx, ddy, gw, gb);
        // Summed in double: only the final rounding to float remains.
        AssertClose(expectedDw, ToDouble(gw), 2 * Roundoff, "dWeight", floor: 1e-30);
        AssertClose(expectedDb, ToDouble(gb), 2 * Roundoff, "dBias", floor: 1e-30);
        Kernels.LinearBackwardWeight(dx, ddy, gw, gb, accumulate: true);
        AssertClose(Add(expectedDw, expectedDw), ToDouble(gw), 4 * Roundoff, "accumulated dWeight", floor: 1e-30);
        AssertClose(Add(expectedDb, expectedDb), ToDouble(gb), 4 * Roundoff, "accumulated dBias", floor: 1e-30);
    }

    [Fact]
    public void Linear_AppliesToTheLastDimension_OfAnyLeadingShape()
    {
        var x = RandomValues(2 * 3 * 5, 11);
        var w = RandomValues(4 * 5, 12);
        using var dx = Upload(x, 2, 3, 5);
        using var dw = Upload(w, 4, 5);
        using var y = Zeros(2, 3, 4);
        Kernels.Linear(dx, dw, null, y);
        AssertClose(NetworkReference.Linear(x, w, null, 6, 5, 4), ToDouble(y), 1e-5, "y", floor: 1);
    }

    public static TheoryData<Activation> Activations => [Activation.Identity, Activation.Relu, Activation.Gelu, Activation.Tanh];

    [Theory, MemberData(nameof(Activations))]
    public void Activation_AndItsDerivative_MatchPyTorchsDefinitions_InPlaceToo(Activation function)
    {
        // Values across the activations' interesting range, with exact zeros (ReLU′(0) = 0) and tails.
        var x = RandomValues(40_000, 21).Select((v, i) => i % 97 == 0 ? 0 : 6 * v).ToArray();
        var dy = RandomValues(x.Length, 22);
        using var dx = Upload(x, 8, 5000);
        using var y = Filled(float.NaN, 8, 5000);
        Kernels.Activate(function, dx, y);
        var expected = x.Select(v => NetworkReference.Activation(function, v)).ToArray();
        // GELU's erf is good to about one float ulp of 1, so GELU is good to |x|·1e-7 in absolute terms.
        AssertClose(expected, ToDouble(y), x.Select(v => 1 + Math.Abs(v)).ToArray(), 3e-7, $"{function}(x)");

        using var ddy = Upload(dy, 8, 5000);
        using var gx = Filled(float.NaN, 8, 5000);
        Kernels.ActivateBackward(function, dx, ddy, gx);
        var expectedGradient = x.Select((v, i) => dy[i] * NetworkReference.ActivationDerivative(function, v)).ToArray();
        AssertClose(expectedGradient, ToDouble(gx), x.Select(v => 1 + Math.Abs(v)).ToArray(), 3e-7, $"{function}′(x)·dy");

        // In place: y may be x, dx may be dy.
        Kernels.Activate(function, dx, dx);
        Assert.Equal(y.ToArray(), dx.ToArray());
        using var dx2 = Upload(x, 8, 5000);
        Kernels.ActivateBackward(function, dx2, ddy, ddy);
        Assert.Equal(gx.ToArray(), ddy.ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AveragePool_MatchesTheReference_AndItsBackwardIsTheAdjoint(bool threeD)
    {
        int n = 2, c = 3, d = threeD ? 6 : 1, h = 6, w = 9, f = 3;
        int[] fine = threeD ? [n, c, d, h, w] : [n, c, h, w];
        int[] coarse = threeD ? [n, c, d / f, h / f, w / f] : [n, c, h / f, w / f];
        var x = RandomValues(n * c * d * h * w, 31);
        using var dx = Upload(x, fine);
        using var y = Filled(float.NaN, coarse);
        Kernels.AveragePool(dx, y, f);
        var expected = NetworkReference.AveragePool(x, n * c, d, h, w, f, threeD);
        AssertClose(expected, ToDouble(y), 1e-6, "pooled", floor: 1);

        // ⟨dy, pool(x)⟩ = ⟨poolᵀ(dy), x⟩, and the adjoint accumulates.
        var dy = RandomValues(expected.Length, 32);
        using var ddy = Upload(dy, coarse);
        using var gx = Filled(float.NaN, fine);
        Kernels.AveragePoolBackward(ddy, gx, f);
        Assert.Equal(NetworkReference.Dot(dy, expected), NetworkReference.Dot(ToDouble(gx), x), 1e-5);
        var once = ToDouble(gx);
        Kernels.AveragePoolBackward(ddy, gx, f, accumulate: true);
        AssertClose(Add(once, once), ToDouble(gx), 1e-6, "accumulated", floor: 1);
    }

    [Fact]
    public void AveragePool_HandWorked_4x4To2x2()
    {
        using var x = Upload(Enumerable.Range(1, 16).Select(i => (float)i).ToArray(), 1, 1, 4, 4);
        using var y = Zeros(1, 1, 2, 2);
        Kernels.AveragePool(x, y, 2);
        // Blocks {1, 2, 5, 6}, {3, 4, 7, 8}, {9, 10, 13, 14}, {11, 12, 15, 16}.
        Assert.Equal([3.5f, 5.5f, 11.5f, 13.5f], y.ToArray());
    }

    [Fact]
    public void Upsample_HandWorked_2x2To4x4_NearestAndBilinear()
    {
        using var x = Upload([1f, 2, 3, 4], 1, 1, 2, 2);
        using var y = Zeros(1, 1, 4, 4);
        Kernels.Upsample(UpsampleMode.Nearest, x, y, 2);
        Assert.Equal([1f, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4], y.ToArray());

        // align_corners=False: output i reads source (i + ½)/2 − ½ = −¼ (clamped to 0), ¼, ¾, 1¼ (upper neighbour
        // clamped): row 0 is [1, 1·¾ + 2·¼, 1·¼ + 2·¾, 2] = [1, 1.25, 1.75, 2] (PyTorch's values), row 3 is
        // [3, 3.25, 3.75, 4], and rows 1 and 2 are ¾·row 0 + ¼·row 3 and ¼·row 0 + ¾·row 3.
        Kernels.Upsample(UpsampleMode.Linear, x, y, 2);
        Assert.Equal(
        [
            1f, 1.25f, 1.75f, 2f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3f, 3.25f, 3.75f, 4f,
        ], y.ToArray());
    }

    [Theory]
    [InlineData(UpsampleMode.Nearest, false, 2)]
    [InlineData(UpsampleMode.Linear, false, 2)]
    [InlineData(UpsampleMode.Linear, false, 3)]
    [InlineData(UpsampleMode.Nearest, true, 2)]
    [InlineData(UpsampleMode.Linear, true, 2)]
    [InlineData(UpsampleMode.Linear, true, 3)]
    public void Upsample_MatchesTheReference_AndItsBackwardIsTheAdjoint(UpsampleMode mode, bool threeD, int f)
    {
        int n = 2, c = 3, d = threeD ? 3 : 1, h = 5, w = 7;
        int[] coarse = threeD ? [n, c, d, h, w] : [n, c, h, w];
        int[] fine = threeD ? [n, c, d * f, h * f, w * f] : [n, c, h * f, w * f];
        var x = RandomValues(n * c * d * h * w, 41);
        using var dx = Upload(x, coarse);
        using var y = Filled(float.NaN, fine);
        Kernels.Upsample(mode, dx, y, f);
        var expected = NetworkReference.Upsample(mode == UpsampleMode.Linear, x, n * c, d, h, w, f, threeD);
        AssertClose(expected, ToDouble(y), 1e-6, $"{mode} ×{f}", floor: 1);

        // The backward pass is the exact transpose: ⟨dy, up(x)⟩ = ⟨upᵀ(dy), x⟩ for the reference up, with every
        // entry of upᵀ(dy) checked through unit vectors of x.
        var dy = RandomValues(expected.Length, 42);
        using var ddy = Upload(dy, fine);
        using var gx = Filled(float.NaN, coarse);
        Kernels.UpsampleBackward(mode, ddy, gx, f);
        var gradient = ToDouble(gx);
        var unit = new double[x.Length];
        for (int k = 0; k < x.Length; k += 5)
        {
            unit[k] = 1;
            double exact = NetworkReference.Dot(dy, NetworkReference.Upsample(mode == UpsampleMode.Linear, unit, n * c, d, h, w, f, threeD));
            unit[k] = 0;
            Assert.True(Math.Abs(gradient[k] - exact) <= 1e-5 * Math.Max(1, Math.Abs(exact)), $"dx[{k}] = {gradient[k]}, expected {exact}");
        }
        Kernels.UpsampleBackward(mode, ddy, gx, f, accumulate: true);
        AssertClose(Add(gradient, gradient), ToDouble(gx), 1e-6, "accumulated", floor: 1);
    }

    [Theory]
    [InlineData(new[] { 2, 5, 7, 9 })]
    [InlineData(new[] { 3, 4, 3, 2, 5 })]
    [InlineData(new[] { 2, 16, 40, 40 })]
    [InlineData(new[] { 5, 6 })]
    [InlineData(new[] { 1000, 16 })]
    [InlineData(new[] { 777, 3 })]
    public void LayerNorm_MatchesTheReference(int[] shape)
    {
        int n = shape[0], c = shape[1], s = shape.Skip(2).Aggregate(1, (a, b) => a * b);
        var x = RandomValues(n * c * s, 51).Select(v => 3 * v + 0.5).ToArray();
        var gamma = RandomValues(c, 52);
        var beta = RandomValues(c, 53);
        const float epsilon = 1e-5f;
        using var dx = Upload(x, shape);
        using var dg = Upload(gamma, c);
        using var db = Upload(beta, c);
        int[] statistics = [n, .. shape.Skip(2)];
        using var y = Filled(float.NaN, shape);
        using var mean = Filled(float.NaN, statistics);
        using var inverse = Filled(float.NaN, statistics);
        Kernels.LayerNorm(dx, dg, db, epsilon, y, mean, inverse);
        var (ey, em, ei) = NetworkReference.LayerNorm(x, gamma, beta, epsilon, n, c, s);
        AssertClose(ey, ToDouble(y), 1e-6, "y", floor: 1);
        AssertClose(em, ToDouble(mean), 1e-6, "mean", floor: 1);
        AssertClose(ei, ToDouble(inverse), 1e-6, "inverseStd");
    }

    /// <summary>
    /// LayerNorm's gradients against central differences of L = Σ dy ∘ LayerNorm(x; γ, β), evaluated in double by the
    /// reference, with accumulation and bit-for-bit repeatability.
    /// </summary>
    [Fact]
    public void LayerNormBackward_MatchesCentralDifferencesOfTheReference_Accumulates_AndRepeats()
    {
        int n = 2, c = 5, h = 3, w = 4, s = h * w;
        var x = RandomValues(n * c * s, 61);
        var gamma = RandomValues(c, 62);
        var beta = RandomValues(c, 63);
        var dy = RandomValues(x.Length, 64);
        const float epsilon = 1e-5f;
        double Loss() => NetworkReference.Dot(dy, NetworkReference.LayerNorm(x, gamma, beta, epsilon, n, c, s).Y);
        double Difference(double[] values, int k) => CentralDifference(Loss, values, k);

        using var dx = Upload(x, n, c, h, w);
        using var dg = Upload(gamma, c);
        using var dbeta = Upload(beta, c);
        using var ddy = Upload(dy, n, c, h, w);
        using var y = Zeros(n, c, h, w);
        using var mean = Zeros(n, h, w);
        using var inverse = Zeros(n, h, w);
        Kernels.LayerNorm(dx, dg, dbeta, epsilon, y, mean, inverse);
        using var gx = Filled(float.NaN, n, c, h, w);
        using var gg = Filled(float.NaN, c);
        using var gb = Filled(float.NaN, c);
        Kernels.LayerNormBackward(dx, dg, mean, inverse, ddy, gx, gg, gb);
        var fx = ToDouble(gx);
        var fg = ToDouble(gg);
        var fb = ToDouble(gb);
        for (int k = 0; k < x.Length; k++) Assert.True(Math.Abs(fx[k] - Difference(x, k)) <= 1e-4 * Math.Max(1, Math.Abs(fx[k])), $"dx[{k}] = {fx[k]}, finite difference {Difference(x, k)}");
        for (int k = 0; k < c; k++)
        {
            Assert.True(Math.Abs(fg[k] - Difference(gamma, k)) <= 1e-4 * Math.Max(1, Math.Abs(fg[k])), $"dGamma[{k}] = {fg[k]}, finite difference {Difference(gamma, k)}");
            Assert.True(Math.Abs(fb[k] - Difference(beta, k)) <= 1e-4 * Math.Max(1, Math.Abs(fb[k])), $"dBeta[{k}] = {fb[k]}, finite difference {Difference(beta, k)}");
        }

        var (gx1, gg1, gb1) = (gx.ToArray(), gg.ToArray(), gb.ToArray());
        Kernels.LayerNormBackward(dx, dg, mean, inverse, ddy, gx, gg, gb);
        AssertBitwiseEqual(gx1, gx.ToArray(), "dx");
        AssertBitwiseEqual(gg1, gg.ToArray(), "dGamma");
        AssertBitwiseEqual(gb1, gb.ToArray(), "dBeta");
        Kernels.LayerNormBackward(dx, dg, mean, inverse, ddy, gx, gg, gb, accumulate: true);
        AssertClose(Add(fx, fx), ToDouble(gx), 1e-6, "accumulated dx");
        AssertClose(Add(fg, fg), ToDouble(gg), 1e-6, "accumulated dGamma");
        AssertClose(Add(fb, fb), ToDouble(gb), 1e-6, "accumulated dBeta");
    }

    /// <summary>
    /// LayerNorm's gradients on rows of features ([N, C]: a graph's nodes or edges, several blocks of rows) against
    /// central differences of the reference: γ, β and a spread of x's entries.
    /// </summary>
    [Fact]
    public void LayerNormBackward_OnRowsOfFeatures_MatchesCentralDifferencesOfTheReference()
    {
        int n = 700, c = 8;
        var x = RandomValues(n * c, 71);
        var gamma = RandomValues(c, 72);
        var beta = RandomValues(c, 73);
        var dy = RandomValues(x.Length, 74);
        const float epsilon = 1e-5f;
        double Loss() => NetworkReference.Dot(dy, NetworkReference.LayerNorm(x, gamma, beta, epsilon, n, c, 1).Y);
        double Difference(double[] values, int k) => CentralDifference(Loss, values, k);

        using var dx = Upload(x, n, c);
        using var dg = Upload(gamma, c);
        using var dbeta = Upload(beta, c);
        using var ddy = Upload(dy, n, c);
        using var y = Zeros(n, c);
        using var mean = Zeros(n);
        using var inverse = Zeros(n);
        Kernels.LayerNorm(dx, dg, dbeta, epsilon, y, mean, inverse);
        using var gx = Filled(float.NaN, n, c);
        using var gg = Filled(float.NaN, c);
        using var gb = Filled(float.NaN, c);
        Kernels.LayerNormBackward(dx, dg, mean, inverse, ddy, gx, gg, gb);
        var fx = ToDouble(gx);
        var fg = ToDouble(gg);
        var fb = ToDouble(gb);
        for (int k = 0; k < x.Length; k += 37) Assert.True(Math.Abs(fx[k] - Difference(x, k)) <= 1e-4 * Math.Max(1, Math.Abs(fx[k])), $"dx[{k}] = {fx[k]}, finite difference {Difference(x, k)}");
        for (int k = 0; k < c; k++)
        {
            Assert.True(Math.Abs(fg[k] - Difference(gamma, k)) <= 1e-4 * Math.Max(1, Math.Abs(fg[k])), $"dGamma[{k}] = {fg[k]}, finite difference {Difference(gamma, k)}");
            Assert.True(Math.Abs(fb[k] - Difference(beta, k)) <= 1e-4 * Math.Max(1, Math.Abs(fb[k])), $"dBeta[{k}] = {fb[k]}, finite difference {Difference(beta, k)}");
        }
    }

    /// <summary>(loss(v + h e_k) − loss(v − h e_k)) / 2h with h = 1e-5, <paramref name="values"/> restored.</summary>
    private static double CentralDifference(Func<double> loss, double[] values, int k)
    {
        const double step = 1e-5;
        double saved = values[k];
        values[k] = saved + step;
        double plus = loss();
        values[k] = saved - step;
        double minus = loss();
        values[k] = saved;
        return (plus - minus) / (2 * step);
    }
}
