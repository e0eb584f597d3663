using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics;

namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>
/// The ILGPU network kernels against naive double-precision references (random inputs, odd sizes, batch &gt; 1,
/// Cin ≠ Cout, 2-D and 3-D, dilation 2), hand-worked cases, accumulation, determinism and argument checks. Written
/// once; subclasses pick the device. Shapes stay small: the CPU accelerator simulates every thread.
/// </summary>
public abstract class IlgpuNetworkKernelTests
{
    private const double Tolerance = 1e-5;

    protected abstract Device Device { get; }

    private INetworkKernels Kernels => Device.Kernels(INetworkKernels.Family);

    // ---- convolution ----

    /// <summary>threeD, kernel sizes (kD is 1 in 2-D), dilation, bias.</summary>
    public static TheoryData<bool, int, int, int, int, bool> ConvolutionCases() => new()
    {
        { false, 1, 3, 3, 1, true },
        { false, 1, 3, 5, 2, false },
        { false, 1, 1, 1, 1, true },
        { true, 3, 3, 3, 1, true },
        { true, 1, 3, 3, 2, false },
    };

    private static (int N, int Cin, int Cout, int D, int H, int W) ConvolutionSizes(bool threeD) => threeD ? (2, 2, 3, 3, 4, 5) : (2, 3, 2, 1, 5, 7);

    private static Shape ImageShape(bool threeD, int n, int c, int d, int h, int w) => threeD ? new Shape(n, c, d, h, w) : new Shape(n, c, h, w);

    private static Shape WeightShape(bool threeD, int cout, int cin, int kd, int kh, int kw) => threeD ? new Shape(cout, cin, kd, kh, kw) : new Shape(cout, cin, kh, kw);

    [Theory, MemberData(nameof(ConvolutionCases))]
    public void Convolution_MatchesTheReference(bool threeD, int kd, int kh, int kw, int dilation, bool withBias)
    {
        var (n, cin, cout, d, h, w) = ConvolutionSizes(threeD);
        var x = RandomValues(n * cin * d * h * w, 1);
        var weight = RandomValues(cout * cin * kd * kh * kw, 2);
        var bias = withBias ? RandomValues(cout, 3) : null;
        using var xs = Device.Upload<float>(x, ImageShape(threeD, n, cin, d, h, w));
        using var ws = Device.Upload<float>(weight, WeightShape(threeD, cout, cin, kd, kh, kw));
        using var bs = bias is null ? null : Device.Upload<float>(bias, new Shape(cout));
        using var ys = Device.Allocate<float>(ImageShape(threeD, n, cout, d, h, w));

        Kernels.Convolution(xs, ws, bs, ys, dilation);

        var expected = IlgpuNetworkReference.Convolution(x, weight, bias, n, cin, cout, d, h, w, kd, kh, kw, dilation);
        AssertClose(expected, ys.ToArray());
    }

    [Theory, MemberData(nameof(ConvolutionCases))]
    public void ConvolutionBackward_MatchesTheReference_OverwritingOrAccumulating(bool threeD, int kd, int kh, int kw, int dilation, bool withBias)
    {
        var (n, cin, cout, d, h, w) = ConvolutionSizes(threeD);
        var x = RandomValues(n * cin * d * h * w, 4);
        var weight = RandomValues(cout * cin * kd * kh * kw, 5);
        var dy = RandomValues(n * cout * d * h * w, 6);
        var (dxExpected, dwExpected, dbExpected) = IlgpuNetworkReference.ConvolutionBackward(x, weight, dy, n, cin, cout, d, h, w, kd, kh, kw, dilation);
        using var xs = Device.Upload<float>(x, ImageShape(threeD, n, cin, d, h, w));
        using var ws = Device.Upload<float>(weight, WeightShape(threeD, cout, cin, kd, kh, kw));
        using var dys = Device.Upload<float>(dy, ImageShape(threeD, n, cout, d, h, w));
        var dxStart = RandomValues(x.Length, 7);
        var dwStart = RandomValues(weight.Length, 8);
        var dbStart = RandomValues(cout, 9);
        using var dxs = Device.Upload<float>(dxStart, xs.Shape);
        using var dws = Device.Upload<float>(dwStart, ws.Shape);
        using var dbs = withBias ? Device.Upload<float>(dbStart, new Shape(cout)) : null;

        Kernels.ConvolutionBackwardInput(dys, ws, dxs, dilation);
        Kernels.ConvolutionBackwardWeight(xs, dys, dws, dbs, dilation);
        AssertClose(dxExpected, dxs.ToArray());
        AssertClose(dwExpected, dws.ToArray());
        if (dbs is not null) AssertClose(dbExpected, dbs.ToArray());

        dxs.CopyFrom(dxStart);
        dws.CopyFrom(dwStart);
        dbs?.CopyFrom(dbStart);
        Kernels.ConvolutionBackwardInput(dys, ws, dxs, dilation, accumulate: true);
        Kernels.ConvolutionBackwardWeight(xs, dys, dws, dbs, dilation, accumulate: true);
        AssertClose(Plus(dxStart, dxExpected), dxs.ToArray());
        AssertClose(Plus(dwStart, dwExpected), dws.ToArray());
        if (dbs is not null) AssertClose(Plus(dbStart, dbExpected), dbs.ToArray());
    }

    [Fact]
    public void Convolution_ThreeByThreeOnFourByFour_TwoChannelsAndBias_IsTheHandWorkedCrossCorrelation()
    {
        // Channel 0: 1 … 16 under a box kernel (3×3 sums, zero outside). Channel 1: 10 × (1 … 16) under a kernel with a
        // single 1 at its top-right tap, so y[h, w] picks x1[h − 1, w + 1]: cross-correlation, not a flipped convolution.
        var x = new float[32];
        for (int i = 0; i < 16; i++)
        {
            x[i] = i + 1;
            x[16 + i] = 10 * (i + 1);
        }
        var weight = new float[18];
        for (int k = 0; k < 9; k++) weight[k] = 1;
        weight[9 + 2] = 1;
        using var xs = Device.Upload<float>(x, new Shape(1, 2, 4, 4));
        using var ws = Device.Upload<float>(weight, new Shape(1, 2, 3, 3));
        using var bs = Device.Upload<float>([0.5f], new Shape(1));
        using var ys = Device.Allocate<float>(new Shape(1, 1, 4, 4));

        Kernels.Convolution(xs, ws, bs, ys);

        float[] expected =
        [
            14.5f, 24.5f, 30.5f, 22.5f,
            53.5f, 84.5f, 103.5f, 45.5f,
            117.5f, 160.5f, 179.5f, 69.5f,
            146.5f, 182.5f, 198.5f, 54.5f,
        ];
        Assert.Equal(expected, ys.ToArray());
    }

    // ---- linear ----

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Linear_ForwardAndBackward_MatchTheReference(bool withBias)
    {
        const int inputs = 5, outputs = 4;
        var rowShape = new Shape(2, 3, inputs); // rows of any leading shape: 6 rows
        int rows = 6;
        var x = RandomValues(rows * inputs, 10);
        var weight = RandomValues(outputs * inputs, 11);
        var bias = withBias ? RandomValues(outputs, 12) : null;
        var dy = RandomValues(rows * outputs, 13);
        using var xs = Device.Upload<float>(x, rowShape);
        using var ws = Device.Upload<float>(weight, new Shape(outputs, inputs));
        using var bs = bias is null ? null : Device.Upload<float>(bias, new Shape(outputs));
        using var ys = Device.Allocate<float>(new Shape(2, 3, outputs));
        using var dys = Device.Upload<float>(dy, ys.Shape);
        var dxStart = RandomValues(x.Length, 14);
        var dwStart = RandomValues(weight.Length, 15);
        var dbStart = RandomValues(outputs, 16);
        using var dxs = Device.Upload<float>(dxStart, xs.Shape);
        using var dws = Device.Upload<float>(dwStart, ws.Shape);
        using var dbs = withBias ? Device.Upload<float>(dbStart, new Shape(outputs)) : null;

        Kernels.Linear(xs, ws, bs, ys);
        Kernels.LinearBackwardInput(dys, ws, dxs);
        Kernels.LinearBackwardWeight(xs, dys, dws, dbs);

        var y = new double[rows * outputs];
        var dx = new double[x.Length];
        var dw = new double[weight.Length];
        var db = new double[outputs];
        for (int m = 0; m < rows; m++)
        {
            for (int o = 0; o < outputs; o++)
            {
                y[m * outputs + o] = bias is null ? 0 : bias[o];
                db[o] += dy[m * outputs + o];
                for (int j = 0; j < inputs; j++)
                {
                    y[m * outputs + o] += (double)weight[o * inputs + j] * x[m * inputs + j];
                    dx[m * inputs + j] += (double)dy[m * outputs + o] * weight[o * inputs + j];
                    dw[o * inputs + j] += (double)dy[m * outputs + o] * x[m * inputs + j];
                }
            }
        }
        AssertClose(y, ys.ToArray());
        AssertClose(dx, dxs.ToArray());
        AssertClose(dw, dws.ToArray());
        if (dbs is not null) AssertClose(db, dbs.ToArray());

        dxs.CopyFrom(dxStart);
        dws.CopyFrom(dwStart);
        dbs?.CopyFrom(dbStart);
        Kernels.LinearBackwardInput(dys, ws, dxs, accumulate: true);
        Kernels.LinearBackwardWeight(xs, dys, dws, dbs, accumulate: true);
        AssertClose(Plus(dxStart, dx), dxs.ToArray());
        AssertClose(Plus(dwStart, dw), dws.ToArray());
        if (dbs is not null) AssertClose(Plus(dbStart, db), dbs.ToArray());
    }

    // ---- activations ----

    [Theory]
    [InlineData(Activation.Identity)]
    [InlineData(Activation.Relu)]
    [InlineData(Activation.Gelu)]
    [InlineData(Activation.Tanh)]
    public void Activation_AndItsDerivative_MatchTheReference_InPlaceToo(Activation function)
    {
        var x = RandomValues(3 * 5 * 7, 20, -4, 4);
        x[0] = 0;
        x[1] = -6;
        x[2] = 6;
        var dy = RandomValues(x.Length, 21);
        using var xs = Device.Upload<float>(x, new Shape(3, 5, 7));
        using var ys = Device.Allocate<float>(xs.Shape);
        using var dys = Device.Upload<float>(dy, xs.Shape);
        using var dxs = Device.Allocate<float>(xs.Shape);

        Kernels.Activate(function, xs, ys);
        Kernels.ActivateBackward(function, xs, dys, dxs);

        AssertClose(x.Select(v => IlgpuNetworkReference.Activate(function, v)).ToArray(), ys.ToArray());
        AssertClose(x.Select((v, i) => dy[i] * IlgpuNetworkReference.Derivative(function, v)).ToArray(), dxs.ToArray());

        var dxFresh = dxs.ToArray();
        Kernels.ActivateBackward(function, xs, dys, dys); // dx may be dy
        Assert.Equal(dxFresh, dys.ToArray());
        var yFresh = ys.ToArray();
        Kernels.Activate(function, xs, xs); // y may be x
        Assert.Equal(yFresh, xs.ToArray());
    }

    [Fact]
    public void Gelu_IsTheExactErfForm()
    {
        using var xs = Device.Upload<float>([1f, -1f, 0f, -5f], new Shape(4));
        Kernels.Activate(Activation.Gelu, xs, xs);
        // x Φ(x), as PyTorch's approximate='none': 0.8413447, -0.1586553, 0, -1.4332579e-06.
        AssertClose([0.8413447460685429, -0.15865525393145707, 0, -1.4332578593959731e-06], xs.ToArray());
    }

    // ---- pooling and upsampling ----

    /// <summary>threeD, factor.</summary>
    public static TheoryData<bool, int> ResampleCases() => new()
    {
        { false, 2 },
        { false, 3 },
        { true, 2 },
    };

    private static (int N, int C, int D, int H, int W) CoarseSizes(bool threeD) => threeD ? (2, 3, 2, 3, 2) : (2, 3, 1, 3, 5);

    [Theory, MemberData(nameof(ResampleCases))]
    public void AveragePool_AndItsBackward_MatchTheReference(bool threeD, int factor)
    {
        var (n, c, d, h, w) = CoarseSizes(threeD);
        int fd = threeD ? d * factor : 1;
        var x = RandomValues(n * c * fd * h * factor * w * factor, 30);
        var dy = RandomValues(n * c * d * h * w, 31);
        var dxStart = RandomValues(x.Length, 32);
        using var xs = Device.Upload<float>(x, ImageShape(threeD, n, c, fd, h * factor, w * factor));
        using var ys = Device.Allocate<float>(ImageShape(threeD, n, c, d, h, w));
        using var dys = Device.Upload<float>(dy, ys.Shape);
        using var dxs = Device.Upload<float>(dxStart, xs.Shape);

        Kernels.AveragePool(xs, ys, factor);
        Kernels.AveragePoolBackward(dys, dxs, factor, accumulate: true);

        var (pooled, spread) = IlgpuNetworkReference.AveragePool(x, dy, n * c, d, h, w, factor, threeD ? factor : 1);
        AssertClose(pooled, ys.ToArray());
        AssertClose(Plus(dxStart, spread), dxs.ToArray());
        Kernels.AveragePoolBackward(dys, dxs, factor);
        AssertClose(spread, dxs.ToArray());
    }

    [Theory, MemberData(nameof(ResampleCases))]
    public void Upsample_AndItsBackward_MatchTheReference_InBothModes(bool threeD, int factor)
    {
        var (n, c, d, h, w) = CoarseSizes(threeD);
        int fd = threeD ? d * factor : 1;
        var x = RandomValues(n * c * d * h * w, 40);
        var dy = RandomValues(n * c * fd * h * factor * w * factor, 41);
        var dxStart = RandomValues(x.Length, 42);
        using var xs = Device.Upload<float>(x, ImageShape(threeD, n, c, d, h, w));
        using var ys = Device.Allocate<float>(ImageShape(threeD, n, c, fd, h * factor, w * factor));
        using var dys = Device.Upload<float>(dy, ys.Shape);
        using var dxs = Device.Allocate<float>(xs.Shape);
        foreach (var mode in new[] { UpsampleMode.Nearest, UpsampleMode.Linear })
        {
            var (up, adjoint) = IlgpuNetworkReference.Upsample(mode, x, dy, n * c, d, h, w, factor, threeD ? factor : 1);
            Kernels.Upsample(mode, xs, ys, factor);
            AssertClose(up, ys.ToArray());
            Kernels.UpsampleBackward(mode, dys, dxs, factor);
            AssertClose(adjoint, dxs.ToArray());
            dxs.CopyFrom(dxStart);
            Kernels.UpsampleBackward(mode, dys, dxs, factor, accumulate: true);
            AssertClose(Plus(dxStart, adjoint), dxs.ToArray());
        }
    }

    [Fact]
    public void BilinearUpsample_OfTwoByTwo_IsPyTorchsAlignCornersFalse()
    {
        using var xs = Device.Upload<float>([1, 2, 3, 4], new Shape(1, 1, 2, 2));
        using var ys = Device.Allocate<float>(new Shape(1, 1, 4, 4));
        Kernels.Upsample(UpsampleMode.Linear, xs, ys, 2);
        float[] expected =
        [
            1.0f, 1.25f, 1.75f, 2.0f,
            1.5f, 1.75f, 2.25f, 2.5f,
            2.5f, 2.75f, 3.25f, 3.5f,
            3.0f, 3.25f, 3.75f, 4.0f,
        ];
        Assert.Equal(expected, ys.ToArray());
    }

    // ---- layer normalization ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LayerNorm_AndItsBackward_MatchTheReference(bool threeD)
    {
        int n = 2, c = 5, d = threeD ? 2 : 1, h = 3, w = 3;
        int positions = d * h * w;
        var shape = ImageShape(threeD, n, c, d, h, w);
        var statisticsShape = threeD ? new Shape(n, d, h, w) : new Shape(n, h, w);
        var x = RandomValues(shape.Length, 50, -2, 3);
        var gamma = RandomValues(c, 51, 0.5f, 1.5f);
        var beta = RandomValues(c, 52);
        var dy = RandomValues(shape.Length, 53);
        var dgStart = RandomValues(c, 54);
        var dbStart = RandomValues(c, 55);
        var dxStart = RandomValues(shape.Length, 56);
        const float epsilon = 1e-6f;
        using var xs = Device.Upload<float>(x, shape);
        using var gs = Device.Upload<float>(gamma, new Shape(c));
        using var bs = Device.Upload<float>(beta, new Shape(c));
        using var ys = Device.Allocate<float>(shape);
        using var means = Device.Allocate<float>(statisticsShape);
        using var inverses = Device.Allocate<float>(statisticsShape);
        using var dys = Device.Upload<float>(dy, shape);
        using var dxs = Device.Upload<float>(dxStart, shape);
        using var dgs = Device.Upload<float>(dgStart, new Shape(c));
        using var dbs = Device.Upload<float>(dbStart, new Shape(c));

        Kernels.LayerNorm(xs, gs, bs, epsilon, ys, means, inverses);
        var (y, mean, inverse) = IlgpuNetworkReference.LayerNorm(x, gamma, beta, epsilon, n, c, positions);
        AssertClose(y, ys.ToArray());
        AssertClose(mean, means.ToArray());
        AssertClose(inverse, inverses.ToArray());

        // The backward pass works from the saved statistics, so the reference takes the kernel's.
        var (dx, dGamma, dBeta) = IlgpuNetworkReference.LayerNormBackward(x, gamma, means.ToArray(), inverses.ToArray(), dy, n, c, positions);
        Kernels.LayerNormBackward(xs, gs, means, inverses, dys, dxs, dgs, dbs, accumulate: true);
        AssertClose(Plus(dxStart, dx), dxs.ToArray());
        AssertClose(Plus(dgStart, dGamma), dgs.ToArray());
        AssertClose(Plus(dbStart, dBeta), dbs.ToArray());

        Kernels.LayerNormBackward(xs, gs, means, inverses, dys, dys, dgs, dbs); // dx may be dy
        AssertClose(dx, dys.ToArray());
        AssertClose(dGamma, dgs.ToArray());
        AssertClose(dBeta, dbs.ToArray());
    }

    // ---- element-wise updates ----

    [Fact]
    public void Axpby_IsAxPlusBy()
    {
        var x = RandomValues(37, 60);
        var y = RandomValues(37, 61);
        using var xs = Device.Upload<float>(x, new Shape(37));
        using var ys = Device.Upload<float>(y, new Shape(37));
        Kernels.Axpby(0.75f, xs, -1.5f, ys);
        AssertClose(x.Select((v, i) => 0.75 * v - 1.5 * y[i]).ToArray(), ys.ToArray());
    }

    [Fact]
    public void AdamStep_TwoSteps_MatchPyTorchsUpdate()
    {
        const float lr = 1e-2f, beta1 = 0.9f, beta2 = 0.999f, epsilon = 1e-8f;
        var p = RandomValues(29, 70);
        var m = RandomValues(29, 71, 0, 0);
        var v = RandomValues(29, 72, 0, 0);
        using var ps = Device.Upload<float>(p, new Shape(29));
        using var gs = Device.Allocate<float>(new Shape(29));
        using var ms = Device.Upload<float>(m, new Shape(29));
        using var vs = Device.Upload<float>(v, new Shape(29));
        var pExpected = p.Select(e => (double)e).ToArray();
        for (int step = 1; step <= 2; step++)
        {
            var g = RandomValues(29, 72 + step);
            gs.CopyFrom(g);
            Kernels.AdamStep(ps, gs, ms, vs, lr, beta1, beta2, epsilon, step);
            for (int i = 0; i < p.Length; i++)
            {
                double mi = (double)beta1 * m[i] + (1 - (double)beta1) * g[i];
                double vi = (double)beta2 * v[i] + (1 - (double)beta2) * g[i] * g[i];
                m[i] = (float)mi;
                v[i] = (float)vi;
                double mHat = mi / (1 - Math.Pow(beta1, step)), vHat = vi / (1 - Math.Pow(beta2, step));
                pExpected[i] = (float)(pExpected[i] - lr * mHat / (Math.Sqrt(vHat) + epsilon));
            }
            AssertClose(pExpected, ps.ToArray());
            AssertClose(m.Select(e => (double)e).ToArray(), ms.ToArray());
            AssertClose(v.Select(e => (double)e).ToArray(), vs.ToArray());
        }
    }

    // ---- rows, sparse products, graphs ----

    [Theory]
    [InlineData(3, 7)]
    [InlineData(2, 301)]
    [InlineData(40, 5)]
    [InlineData(1, 0)]
    public void RowDots_AreEachRowsDotProduct(int rows, int rowLength)
    {
        var x = RandomValues(rows * rowLength, 80);
        var y = RandomValues(rows * rowLength, 81);
        using var xs = Device.Upload<float>(x, new Shape(rows, rowLength));
        using var ys = Device.Upload<float>(y, new Shape(rows * rowLength));
        var result = new double[rows];
        Array.Fill(result, double.NaN);
        Kernels.RowDots(xs, ys, result);
        for (int r = 0; r < rows; r++)
        {
            double expected = 0;
            for (int i = 0; i < rowLength; i++) expected += (double)x[r * rowLength + i] * y[r * rowLength + i];
            Assert.Equal(expected, result[r], 1e-12 * Math.Max(1, Math.Abs(expected)));
        }
    }

    [Fact]
    public void SparseMultiply_AppliesTheMatrixToEachRowOfTheBatch()
    {
        const int n = 9, batch = 3;
        var random = new Random(90);
        var rowPointers = new int[n + 1];
        var columns = new List<int>();
        for (int i = 0; i < n; i++)
        {
            if (i != 4) // row 4 stays empty
            {
                foreach (int j in Enumerable.Range(0, n).Where(_ => random.NextDouble() < 0.4)) columns.Add(j);
            }
            rowPointers[i + 1] = columns.Count;
        }
        var values = RandomValues(columns.Count, 91);
        var x = RandomValues(batch * n, 92);
        using var rp = Device.Upload<int>(rowPointers, new Shape(n + 1));
        using var cs = Device.Upload<int>(columns.ToArray(), new Shape(columns.Count));
        using var vs = Device.Upload<float>(values, new Shape(values.Length));
        using var xs = Device.Upload<float>(x, new Shape(batch, n));
        using var ys = Device.Upload<float>(RandomValues(batch * n, 93), new Shape(batch, n));

        Kernels.SparseMultiply(rp, cs, vs, xs, ys);

        var expected = new double[batch * n];
        for (int b = 0; b < batch; b++)
            for (int i = 0; i < n; i++)
                for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++) expected[b * n + i] += (double)values[k] * x[b * n + columns[k]];
        AssertClose(expected, ys.ToArray());
    }

    [Fact]
    public void SparseMultiply_MarksARowWithAColumnOutOfRangeWithNaN()
    {
        // Row 0 reads column 5 of a 3 × 3 matrix: the row becomes NaN, the other rows are exact, nothing reads past x.
        int[] rowPointers = [0, 2, 3, 4], columns = [0, 5, 1, 2];
        float[] values = [1, 1, 2, 3], x = [1, 2, 3, 4, 5, 6];
        using var rp = Device.Upload<int>(rowPointers, new Shape(4));
        using var cs = Device.Upload<int>(columns, new Shape(4));
        using var vs = Device.Upload<float>(values, new Shape(4));
        using var xs = Device.Upload<float>(x, new Shape(2, 3));
        using var ys = Device.Allocate<float>(new Shape(2, 3));
        Kernels.SparseMultiply(rp, cs, vs, xs, ys);
        var y = ys.ToArray();
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[3]));
        Assert.Equal([4f, 9f, 10f, 18f], (float[])[y[1], y[2], y[4], y[5]]);
    }

    [Fact]
    public void GatherRows_CopiesTheIndexedRows_AndMarksABadIndexWithNaN()
    {
        const int vertices = 5, features = 3;
        var x = RandomValues(vertices * features, 100);
        int[] index = [4, 0, 0, 2, 3, 1, 4, -1];
        using var xs = Device.Upload<float>(x, new Shape(vertices, features));
        using var idx = Device.Upload<int>(index, new Shape(index.Length));
        using var ys = Device.Allocate<float>(new Shape(index.Length, features));

        Kernels.GatherRows(xs, idx, ys);

        var y = ys.ToArray();
        for (int e = 0; e < index.Length - 1; e++)
            Assert.Equal(x.AsSpan(index[e] * features, features).ToArray(), y.AsSpan(e * features, features).ToArray());
        Assert.All(y.AsSpan((index.Length - 1) * features).ToArray(), v => Assert.True(float.IsNaN(v)));
    }

    [Fact]
    public void SegmentSum_AddsEachTargetsEdges_InGroupOrder_OverwritingOrAccumulating()
    {
        const int features = 3;
        int[] offsets = [0, 3, 3, 4, 7]; // target 1 has no edges
        int[] order = [6, 0, 2, 5, 1, 4, 3];
        int vertices = offsets.Length - 1, edges = order.Length;
        var x = RandomValues(edges * features, 110);
        var yStart = RandomValues(vertices * features, 111);
        using var xs = Device.Upload<float>(x, new Shape(edges, features));
        using var os = Device.Upload<int>(offsets, new Shape(offsets.Length));
        using var ords = Device.Upload<int>(order, new Shape(edges));
        using var ys = Device.Upload<float>(yStart, new Shape(vertices, features));

        Kernels.SegmentSum(xs, os, ords, ys);

        var expected = new double[vertices * features];
        for (int v = 0; v < vertices; v++)
            for (int k = offsets[v]; k < offsets[v + 1]; k++)
                for (int f = 0; f < features; f++) expected[v * features + f] += x[order[k] * features + f];
        AssertClose(expected, ys.ToArray());
        ys.CopyFrom(yStart);
        Kernels.SegmentSum(xs, os, ords, ys, accumulate: true);
        AssertClose(Plus(yStart, expected), ys.ToArray());
    }

    // ---- determinism ----

    [Fact]
    public void Reductions_GiveTheSameBits_OnEveryRun()
    {
        // Positions exceed every group size used here, so several threads of each group contribute.
        const int n = 3, cin = 2, cout = 3, h = 9, w = 11;
        using var xs = Device.Upload<float>(RandomValues(n * cin * h * w, 120), new Shape(n, cin, h, w));
        using var dys = Device.Upload<float>(RandomValues(n * cout * h * w, 121), new Shape(n, cout, h, w));
        using var dws = Device.Allocate<float>(new Shape(cout, cin, 3, 3));
        using var dbs = Device.Allocate<float>(new Shape(cout));
        using var rows = Device.Upload<float>(RandomValues(2 * 200, 122), new Shape(200, 2));
        using var cols = Device.Upload<float>(RandomValues(2 * 200, 123), new Shape(200, 2));
        using var lw = Device.Allocate<float>(new Shape(2, 2));
        using var lb = Device.Allocate<float>(new Shape(2));
        using var gs = Device.Upload<float>(RandomValues(cin, 124, 0.5f, 1.5f), new Shape(cin));
        using var means = Device.Allocate<float>(new Shape(n, h, w));
        using var inverses = Device.Allocate<float>(new Shape(n, h, w));
        using var ln = Device.Allocate<float>(xs.Shape);
        using var dln = Device.Upload<float>(RandomValues(n * cin * h * w, 125), xs.Shape);
        using var dlx = Device.Allocate<float>(xs.Shape);
        using var dgs = Device.Allocate<float>(new Shape(cin));
        using var dbetas = Device.Allocate<float>(new Shape(cin));
        Kernels.LayerNorm(xs, gs, gs, 1e-5f, ln, means, inverses);

        (int[] Floats, long[] Dots) Run()
        {
            Kernels.ConvolutionBackwardWeight(xs, dys, dws, dbs, dilation: 2);
            Kernels.LinearBackwardWeight(rows, cols, lw, lb);
            Kernels.LayerNormBackward(xs, gs, means, inverses, dln, dlx, dgs, dbetas);
            var dots = new double[2];
            Kernels.RowDots(rows, cols, dots);
            float[] floats = [.. dws.ToArray(), .. dbs.ToArray(), .. lw.ToArray(), .. lb.ToArray(), .. dlx.ToArray(), .. dgs.ToArray(), .. dbetas.ToArray()];
            return (floats.Select(BitConverter.SingleToInt32Bits).ToArray(), dots.Select(BitConverter.DoubleToInt64Bits).ToArray());
        }

        var first = Run();
        var second = Run();
        Assert.Equal(first.Floats, second.Floats);
        Assert.Equal(first.Dots, second.Dots);
    }

    // ---- allocation ----

    [Fact]
    public void WarmKernels_AllocateNothing()
    {
        Assert.SkipWhen(Device.Name == "ilgpu-cpu", "ILGPU's CPU accelerator allocates a task object per launch (see CudaAllocationTests).");
        var kernels = Kernels;
        using var x = Device.Upload<float>(RandomValues(2 * 3 * 6 * 6, 130), new Shape(2, 3, 6, 6));
        using var w = Device.Upload<float>(RandomValues(4 * 3 * 3 * 3, 131), new Shape(4, 3, 3, 3));
        using var b = Device.Allocate<float>(new Shape(4));
        using var y = Device.Allocate<float>(new Shape(2, 4, 6, 6));
        using var dx = Device.Allocate<float>(x.Shape);
        using var dw = Device.Allocate<float>(w.Shape);
        using var pooled = Device.Allocate<float>(new Shape(2, 4, 3, 3));
        using var gamma = Device.Upload<float>(RandomValues(4, 132, 0.5f, 1.5f), new Shape(4));
        using var means = Device.Allocate<float>(new Shape(2, 6, 6));
        using var inverses = Device.Allocate<float>(new Shape(2, 6, 6));
        using var m = Device.Allocate<float>(w.Shape);
        using var v = Device.Allocate<float>(w.Shape);
        using var dy = Device.Allocate<float>(y.Shape);
        using var dBeta = Device.Allocate<float>(new Shape(4));
        var dots = new double[2];

        void Step()
        {
            kernels.Convolution(x, w, b, y, dilation: 2);
            kernels.LayerNorm(y, gamma, gamma, 1e-6f, y, means, inverses);
            kernels.Activate(Activation.Gelu, y, y);
            kernels.AveragePool(y, pooled, 2);
            kernels.Upsample(UpsampleMode.Linear, pooled, y, 2);
            kernels.UpsampleBackward(UpsampleMode.Linear, y, pooled, 2);
            kernels.ActivateBackward(Activation.Gelu, y, y, y);
            kernels.LayerNormBackward(y, gamma, means, inverses, y, dy, b, dBeta);
            kernels.ConvolutionBackwardInput(dy, w, dx, dilation: 2);
            kernels.ConvolutionBackwardWeight(x, dy, dw, b, dilation: 2, accumulate: true);
            kernels.AdamStep(w, dw, m, v, 1e-3f, 0.9f, 0.999f, 1e-8f, step: 3);
            kernels.Axpby(0.5f, x, 0.5f, dx);
            kernels.RowDots(x, dx, dots);
        }

        Step();
        var (_, bytes) = Allocations.Least(() =>
        {
            Step();
            return 0;
        });
        Assert.Equal(0, bytes);
    }

    // ---- argument checks ----

    [Fact]
    public void MismatchedShapes_AreRejected_NamingTheArgumentAndTheShapes()
    {
        using var x = Device.Allocate<float>(new Shape(2, 3, 5, 5));
        using var w = Device.Allocate<float>(new Shape(4, 3, 3, 3));
        using var y = Device.Allocate<float>(new Shape(2, 4, 5, 6));
        var e = Assert.Throws<ArgumentException>(() => Kernels.Convolution(x, w, null, y));
        Assert.Equal("y", e.ParamName);
        Assert.Contains("[2, 4, 5, 6]", e.Message);
        Assert.Contains("[2, 4, 5, 5]", e.Message);

        using var wrongChannels = Device.Allocate<float>(new Shape(4, 2, 3, 3));
        using var y2 = Device.Allocate<float>(new Shape(2, 4, 5, 5));
        e = Assert.Throws<ArgumentException>(() => Kernels.Convolution(x, wrongChannels, null, y2));
        Assert.Equal("weight", e.ParamName);
        Assert.Contains("[4, 2, 3, 3]", e.Message);
        Assert.Contains("[2, 3, 5, 5]", e.Message);

        using var even = Device.Allocate<float>(new Shape(4, 3, 2, 3));
        Assert.Throws<ArgumentException>(() => Kernels.Convolution(x, even, null, y2));
        using var badBias = Device.Allocate<float>(new Shape(3));
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => Kernels.Convolution(x, w, badBias, y2)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.Convolution(x, w, null, y2, dilation: 0));
        Assert.Throws<ArgumentException>(() => Kernels.AveragePool(x, y2, 2));
        Assert.Throws<ArgumentException>(() => Kernels.RowDots(x, x, new double[4]));
        Assert.Throws<ArgumentException>(() => Kernels.Axpby(1, x, 1, y2));
        Assert.Throws<ArgumentOutOfRangeException>(() => Kernels.AdamStep(x, x, x, x, 1e-3f, 0.9f, 0.999f, 1e-8f, step: 0));
    }

    [Fact]
    public void OverlappingOutputs_AndBuffersOfAnotherDevice_AreRejected()
    {
        using var x = Device.Allocate<float>(new Shape(1, 2, 4, 4));
        using var w = Device.Allocate<float>(new Shape(2, 2, 3, 3));
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Kernels.Convolution(x, w, null, x)).ParamName);
        using var rows = Device.Allocate<float>(new Shape(4, 2));
        using var lw = Device.Allocate<float>(new Shape(2, 2));
        Assert.Throws<ArgumentException>(() => Kernels.Linear(rows, lw, null, rows.Reshape(new Shape(4, 2))));
        // In place is allowed element-wise; a shifted overlap is not (one thread would overwrite what another still reads).
        using var line = Device.Allocate<float>(new Shape(11));
        Kernels.Activate(Activation.Relu, line.Range(0, 10), line.Range(0, 10));
        Assert.Equal("y", Assert.Throws<ArgumentException>(() => Kernels.Activate(Activation.Relu, line.Range(0, 10), line.Range(1, 10))).ParamName);

        using var host = LearnedSolvers.Devices.Device.Cpu.Allocate<float>(new Shape(1, 2, 4, 4));
        Assert.ThrowsAny<ArgumentException>(() => Kernels.Convolution(host, w, null, x));
    }

    // ---- helpers ----

    private static float[] RandomValues(int length, int seed, float low = -1, float high = 1)
    {
        var random = new Random(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++) values[i] = low + (high - low) * random.NextSingle();
        return values;
    }

    private static double[] Plus(float[] start, double[] increment) => start.Select((s, i) => s + increment[i]).ToArray();

    /// <summary>Each element within <see cref="Tolerance"/> relative of the reference (with a floor far below the largest, for exact zeros).</summary>
    private static void AssertClose(double[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        double scale = expected.Length == 0 ? 0 : expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = Tolerance * Math.Max(Math.Abs(expected[i]), 1e-6 * scale);
            if (!(Math.Abs(actual[i] - expected[i]) <= allowed))
                Assert.Fail($"Element {i}: expected {expected[i]:R}, got {actual[i]:R} (allowed difference {allowed:G3}).");
        }
    }
}

/// <summary>Naive double-precision references, written from the definitions (the adjoints scatter where the kernels gather).</summary>
internal static class IlgpuNetworkReference
{
    /// <summary>PyTorch's "same" cross-correlation on [N, C, D, H, W] (2-D: D = kD = 1).</summary>
    public static double[] Convolution(float[] x, float[] weight, float[]? bias, int n, int cin, int cout, int d, int h, int w,
        int kd, int kh, int kw, int dilation)
    {
        var y = new double[n * cout * d * h * w];
        ForEachTap(n, cin, cout, d, h, w, kd, kh, kw, dilation, (output, input, tap, o) => y[output] += (double)weight[tap] * x[input]);
        if (bias is not null)
            for (int i = 0; i < y.Length; i++) y[i] += bias[i / (d * h * w) % cout];
        return y;
    }

    /// <summary>dx, dWeight and dBias of Σ dy ∘ Convolution(x, w), accumulated tap by tap.</summary>
    public static (double[] Dx, double[] DWeight, double[] DBias) ConvolutionBackward(float[] x, float[] weight, float[] dy, int n, int cin, int cout,
        int d, int h, int w, int kd, int kh, int kw, int dilation)
    {
        var dx = new double[x.Length];
        var dw = new double[weight.Length];
        var db = new double[cout];
        ForEachTap(n, cin, cout, d, h, w, kd, kh, kw, dilation, (output, input, tap, o) =>
        {
            dx[input] += (double)weight[tap] * dy[output];
            dw[tap] += (double)dy[output] * x[input];
        });
        for (int i = 0; i < dy.Length; i++) db[i / (d * h * w) % cout] += dy[i];
        return (dx, dw, db);
    }

    /// <summary>Calls visit(output index, input index, weight index, o) for every tap that reads inside the input.</summary>
    private static void ForEachTap(int n, int cin, int cout, int d, int h, int w, int kd, int kh, int kw, int dilation, Action<int, int, int, int> visit)
    {
        int pd = dilation * (kd - 1) / 2, ph = dilation * (kh - 1) / 2, pw = dilation * (kw - 1) / 2;
        for (int b = 0; b < n; b++)
            for (int o = 0; o < cout; o++)
                for (int z = 0; z < d; z++)
                    for (int r = 0; r < h; r++)
                        for (int c = 0; c < w; c++)
                        {
                            int output = (((b * cout + o) * d + z) * h + r) * w + c;
                            for (int i = 0; i < cin; i++)
                                for (int a = 0; a < kd; a++)
                                    for (int e = 0; e < kh; e++)
                                        for (int f = 0; f < kw; f++)
                                        {
                                            int sz = z + a * dilation - pd, sr = r + e * dilation - ph, sc = c + f * dilation - pw;
                                            if (sz < 0 || sz >= d || sr < 0 || sr >= h || sc < 0 || sc >= w) continue;
                                            visit(output, (((b * cin + i) * d + sz) * h + sr) * w + sc, (((o * cin + i) * kd + a) * kh + e) * kw + f, o);
                                        }
                        }
    }

    public static double Activate(Activation function, double x) => function switch
    {
        Activation.Relu => Math.Max(x, 0),
        Activation.Gelu => 0.5 * x * SpecialFunctions.Erfc(-x / Math.Sqrt(2)),
        Activation.Tanh => Math.Tanh(x),
        _ => x,
    };

    public static double Derivative(Activation function, double x) => function switch
    {
        Activation.Relu => x > 0 ? 1 : 0,
        Activation.Gelu => 0.5 * SpecialFunctions.Erfc(-x / Math.Sqrt(2)) + x * Math.Exp(-x * x / 2) / Math.Sqrt(2 * Math.PI),
        Activation.Tanh => 1 - Math.Tanh(x) * Math.Tanh(x),
        _ => 1,
    };

    /// <summary>Block means of the fine grid, and the adjoint (each coarse gradient spread evenly over its block).</summary>
    public static (double[] Pooled, double[] Spread) AveragePool(float[] fine, float[] dCoarse, int planes, int d, int h, int w, int factor, int depthFactor)
    {
        var pooled = new double[planes * d * h * w];
        var spread = new double[fine.Length];
        double volume = depthFactor * factor * factor;
        ForEachFineCell(planes, d, h, w, factor, depthFactor, (fineIndex, plane, z, r, c) =>
        {
            int coarse = ((plane * d + z / depthFactor) * h + r / factor) * w + c / factor;
            pooled[coarse] += fine[fineIndex] / volume;
            spread[fineIndex] += dCoarse[coarse] / volume;
        });
        return (pooled, spread);
    }

    /// <summary>nn.Upsample (nearest, or (bi/tri)linear with align_corners=False), and its adjoint scattered from each fine cell.</summary>
    public static (double[] Up, double[] Adjoint) Upsample(UpsampleMode mode, float[] coarse, float[] dFine, int planes, int d, int h, int w, int factor, int depthFactor)
    {
        var up = new double[dFine.Length];
        var adjoint = new double[coarse.Length];
        ForEachFineCell(planes, d, h, w, factor, depthFactor, (fineIndex, plane, z, r, c) =>
        {
            var dz = Sources(mode, z, depthFactor, d);
            var dr = Sources(mode, r, factor, h);
            var dc = Sources(mode, c, factor, w);
            foreach (var (iz, wz) in dz)
                foreach (var (ir, wr) in dr)
                    foreach (var (ic, wc) in dc)
                    {
                        int source = ((plane * d + iz) * h + ir) * w + ic;
                        up[fineIndex] += wz * wr * wc * coarse[source];
                        adjoint[source] += wz * wr * wc * dFine[fineIndex];
                    }
        });
        return (up, adjoint);
    }

    /// <summary>The coarse cells fine cell i reads along one dimension, with their weights.</summary>
    private static (int Index, double Weight)[] Sources(UpsampleMode mode, int i, int factor, int size)
    {
        if (mode == UpsampleMode.Nearest) return [(i / factor, 1)];
        double s = Math.Max(0, (i + 0.5) / factor - 0.5);
        int lower = (int)Math.Floor(s);
        int upper = Math.Min(lower + 1, size - 1);
        return [(lower, 1 - (s - lower)), (upper, s - lower)];
    }

    private static void ForEachFineCell(int planes, int d, int h, int w, int factor, int depthFactor, Action<int, int, int, int, int> visit)
    {
        int fd = d * depthFactor, fh = h * factor, fw = w * factor;
        for (int p = 0; p < planes; p++)
            for (int z = 0; z < fd; z++)
                for (int r = 0; r < fh; r++)
                    for (int c = 0; c < fw; c++) visit(((p * fd + z) * fh + r) * fw + c, p, z, r, c);
    }

    /// <summary>Channels-first layer norm over [N, C, P]: y, the means and 1/√(σ² + ε) per (n, position).</summary>
    public static (double[] Y, double[] Mean, double[] InverseStd) LayerNorm(float[] x, float[] gamma, float[] beta, float epsilon, int n, int c, int positions)
    {
        var y = new double[x.Length];
        var mean = new double[n * positions];
        var inverse = new double[n * positions];
        for (int b = 0; b < n; b++)
            for (int s = 0; s < positions; s++)
            {
                var values = Enumerable.Range(0, c).Select(k => (double)x[(b * c + k) * positions + s]).ToArray();
                double mu = values.Average();
                double variance = values.Select(v => (v - mu) * (v - mu)).Average();
                double r = 1 / Math.Sqrt(variance + epsilon);
                mean[b * positions + s] = mu;
                inverse[b * positions + s] = r;
                for (int k = 0; k < c; k++) y[(b * c + k) * positions + s] = (values[k] - mu) * r * gamma[k] + beta[k];
            }
        return (y, mean, inverse);
    }

    /// <summary>
    /// The layer norm's gradients from the saved statistics, through the full Jacobian of x̂ = (x − μ) r at each position:
    /// ∂x̂_j/∂x_k = r (δ_jk − 1/C) − x̂_j x̂_k r / C.
    /// </summary>
    public static (double[] Dx, double[] DGamma, double[] DBeta) LayerNormBackward(float[] x, float[] gamma, float[] mean, float[] inverse, float[] dy,
        int n, int c, int positions)
    {
        var dx = new double[x.Length];
        var dGamma = new double[c];
        var dBeta = new double[c];
        for (int b = 0; b < n; b++)
            for (int s = 0; s < positions; s++)
            {
                double mu = mean[b * positions + s], r = inverse[b * positions + s];
                int At(int k) => (b * c + k) * positions + s;
                double Hat(int k) => (x[At(k)] - mu) * r;
                for (int j = 0; j < c; j++)
                {
                    dGamma[j] += dy[At(j)] * Hat(j);
                    dBeta[j] += dy[At(j)];
                    for (int k = 0; k < c; k++)
                        dx[At(k)] += (double)dy[At(j)] * gamma[j] * (r * ((j == k ? 1 : 0) - 1.0 / c) - Hat(j) * Hat(k) * r / c);
                }
            }
        return (dx, dGamma, dBeta);
    }
}

public sealed class IlgpuCpuNetworkKernelTests : IlgpuNetworkKernelTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

public sealed class IlgpuCpuWarp32NetworkKernelTests : IlgpuNetworkKernelTests
{
    protected override Device Device => DeviceTargets.IlgpuCpuWarp32;
}

[Trait("Category", "Gpu")]
public sealed class CudaNetworkKernelTests : IlgpuNetworkKernelTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
