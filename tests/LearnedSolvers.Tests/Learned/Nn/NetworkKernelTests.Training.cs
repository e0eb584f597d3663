namespace LearnedSolvers.Tests.Learned.Nn;

public abstract partial class NetworkKernelTests
{
    [Fact]
    public void Axpby_IsElementWise_AndMayWorkInPlace()
    {
        var x = RandomValues(50_001, 71);
        var y = RandomValues(x.Length, 72);
        using var dx = Upload(x, x.Length);
        using var dy = Upload(y, y.Length);
        Kernels.Axpby(2.5f, dx, -0.5f, dy);
        var result = dy.ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal((float)(2.5 * x[i] - 0.5 * y[i]), result[i], 1e-6f);
        Kernels.Axpby(1, dx, 1, dx);
        var doubled = dx.ToArray();
        for (int i = 0; i < x.Length; i++) Assert.Equal((float)(2 * x[i]), doubled[i]);
    }

    /// <summary>Three Adam steps against a hand loop of torch.optim.Adam's update, in double.</summary>
    [Fact]
    public void AdamStep_FollowsPyTorchsFormula()
    {
        const int n = 20_003;
        // The kernel takes floats: the hand loop uses the same float values, carried exactly in double.
        const double lr = 1e-3f, beta1 = 0.9f, beta2 = 0.999f, eps = 1e-8f;
        var p = RandomValues(n, 81);
        var m = new double[n];
        var v = new double[n];
        var mScale = new double[n]; // the same recursion on |g|: the size of m's terms, which may cancel
        using var dp = Upload(p, n);
        using var dm = Zeros(n);
        using var dv = Zeros(n);
        for (int step = 1; step <= 3; step++)
        {
            var g = RandomValues(n, 81 + step).Select((x, i) => i % 11 == 0 ? 0 : x).ToArray();
            using var dg = Upload(g, n);
            Kernels.AdamStep(dp, dg, dm, dv, (float)lr, (float)beta1, (float)beta2, (float)eps, step);
            for (int i = 0; i < n; i++)
            {
                m[i] = beta1 * m[i] + (1 - beta1) * g[i];
                mScale[i] = beta1 * mScale[i] + (1 - beta1) * Math.Abs(g[i]);
                v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(beta1, step));
                double vHat = v[i] / (1 - Math.Pow(beta2, step));
                p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
            AssertClose(m, ToDouble(dm), mScale, 1e-6, $"m after step {step}", floor: 1e-6);
            AssertClose(v, ToDouble(dv), 1e-6, $"v after step {step}", floor: 1e-6);
            // p moves by about lr per step; its float rounding (|p|·u) dominates the error.
            AssertClose(p, ToDouble(dp), 1e-6, $"p after step {step}", floor: 1);
        }
    }

    [Fact]
    public void RowDots_SumEachRowInDouble_Repeatably()
    {
        // Rows longer than any chunk, of odd length, and a row count that does not divide a power of two.
        const int rows = 3, length = 40_001;
        var x = RandomValues(rows * length, 91);
        var y = RandomValues(rows * length, 92);
        using var dx = Upload(x, rows, length);
        using var dy = Upload(y, rows * length);
        var result = new double[rows];
        Kernels.RowDots(dx, dy, result);
        for (int r = 0; r < rows; r++)
        {
            double expected = 0, scale = 0;
            for (int k = r * length; k < (r + 1) * length; k++)
            {
                expected += x[k] * y[k];
                scale += Math.Abs(x[k] * y[k]);
            }
            Assert.Equal(expected, result[r], 1e-13 * scale);
        }
        var again = new double[rows];
        Kernels.RowDots(dx, dy, again);
        Assert.Equal(result.Select(BitConverter.DoubleToInt64Bits), again.Select(BitConverter.DoubleToInt64Bits));
        var one = new double[1];
        Kernels.RowDots(dx, dy, one);
        Assert.Equal(result.Sum(), one[0], 1e-12 * Math.Abs(result.Sum()) + 1e-9);
    }

    [Fact]
    public void SparseMultiply_HandWorked_3x3_TwoVectors()
    {
        // A = [[2, 0, 1], [0, 3, 0], [4, 0, 5]] in CSR; x holds two vectors [1, 2, 3] and [−1, 0, 1].
        using var pointers = UploadIndices([0, 2, 3, 5]);
        using var columns = UploadIndices([0, 2, 1, 0, 2]);
        using var values = Upload([2f, 1, 3, 4, 5], 5);
        using var x = Upload([1f, 2, 3, -1, 0, 1], 2, 3);
        using var y = Filled(float.NaN, 2, 3);
        Kernels.SparseMultiply(pointers, columns, values, x, y);
        // A·[1, 2, 3] = [2 + 3, 6, 4 + 15] = [5, 6, 19]; A·[−1, 0, 1] = [−2 + 1, 0, −4 + 5] = [−1, 0, 1].
        Assert.Equal([5f, 6, 19, -1, 0, 1], y.ToArray());

        using var badColumns = UploadIndices([0, 2, 1, 0, 3]);
        var error = Assert.Throws<ArgumentException>(() => Kernels.SparseMultiply(pointers, badColumns, values, x, y));
        Assert.Equal("columns", error.ParamName);
        Assert.Contains("columns[4] = 3", error.Message);
    }

    [Fact]
    public void GatherRows_AndSegmentSum_HandWorked()
    {
        // x [V 3, F 2]; edges read nodes 2, 0, 2, 1.
        using var nodes = Upload([1f, 2, 3, 4, 5, 6], 3, 2);
        using var index = UploadIndices([2, 0, 2, 1]);
        using var edges = Filled(float.NaN, 4, 2);
        Kernels.GatherRows(nodes, index, edges);
        Assert.Equal([5f, 6, 1, 2, 5, 6, 3, 4], edges.ToArray());

        // Edge features e0..e3 = [1, 10], [2, 20], [3, 30], [4, 40], grouped by target: node 0 ← {3, 0}, node 1 ← {},
        // node 2 ← {1, 2}: offsets [0, 2, 2, 4], order [3, 0, 1, 2].
        using var features = Upload([1f, 10, 2, 20, 3, 30, 4, 40], 4, 2);
        using var offsets = UploadIndices([0, 2, 2, 4]);
        using var order = UploadIndices([3, 0, 1, 2]);
        using var sums = Filled(float.NaN, 3, 2);
        Kernels.SegmentSum(features, offsets, order, sums);
        Assert.Equal([5f, 50, 0, 0, 5, 50], sums.ToArray());
        Kernels.SegmentSum(features, offsets, order, sums, accumulate: true);
        Assert.Equal([10f, 100, 0, 0, 10, 100], sums.ToArray());

        using var badIndex = UploadIndices([2, 0, 3, 1]);
        Assert.Equal("index", Assert.Throws<ArgumentException>(() => Kernels.GatherRows(nodes, badIndex, edges)).ParamName);
        using var badOffsets = UploadIndices([0, 3, 2, 4]);
        Assert.Equal("offsets", Assert.Throws<ArgumentException>(() => Kernels.SegmentSum(features, badOffsets, order, sums)).ParamName);
        using var badOrder = UploadIndices([3, 0, 4, 2]);
        Assert.Equal("order", Assert.Throws<ArgumentException>(() => Kernels.SegmentSum(features, offsets, badOrder, sums)).ParamName);
    }

    [Fact]
    public void SegmentSum_OfManyEdges_MatchesDoubleSums()
    {
        const int nodes = 500, features = 7;
        var random = new Random(95);
        var targets = Enumerable.Range(0, 4000).Select(_ => random.Next(nodes)).ToArray();
        var order = Enumerable.Range(0, targets.Length).OrderBy(e => targets[e]).ToArray();
        var offsets = new int[nodes + 1];
        foreach (int t in targets) offsets[t + 1]++;
        for (int v = 0; v < nodes; v++) offsets[v + 1] += offsets[v];
        var x = RandomValues(targets.Length * features, 96);
        using var dx = Upload(x, targets.Length, features);
        using var doff = UploadIndices(offsets);
        using var dorder = UploadIndices(order);
        using var y = Filled(float.NaN, nodes, features);
        Kernels.SegmentSum(dx, doff, dorder, y);
        var expected = new double[nodes * features];
        for (int e = 0; e < targets.Length; e++)
            for (int f = 0; f < features; f++) expected[targets[e] * features + f] += x[e * features + f];
        AssertClose(expected, ToDouble(y), 2 * Roundoff, "segment sums", floor: 1e-30);
    }
}
