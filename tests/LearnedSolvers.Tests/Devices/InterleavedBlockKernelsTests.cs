using System.Runtime.Intrinsics;
using LearnedSolvers.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>The interleaved block kernels and the interleaved SpMV on the CPU against serial loops on column-major data.</summary>
public class InterleavedBlockKernelsTests
{
    private const int W = 8;
    private static Device Cpu => Device.Cpu;

    /// <summary>A random interleaved block [n, 8] and its host copy (row-major).</summary>
    private static (DeviceBuffer<double> Block, double[] Host) Block(int n, int seed)
    {
        var host = RandomSystems.Vector(n * W, seed);
        return (Cpu.Upload<double>(host, new Shape(n, W)), host);
    }

    private static double[] Matrix(int seed) => RandomSystems.Vector(W * W, seed);

    /// <summary>Row i of a row-major [n, 8] array times the 8 × 8 row-major matrix m, plus the row's magnitudes for the tolerance.</summary>
    private static (double Value, double Scale) RowTimes(double[] u, int i, double[] m, int a)
    {
        double v = 0, s = 0;
        for (int t = 0; t < W; t++)
        {
            v += u[i * W + t] * m[t * W + a];
            s += Math.Abs(u[i * W + t] * m[t * W + a]);
        }
        return (v, s);
    }

    private static double[] Gram(double[] u, double[] y, int n)
    {
        var g = new double[W * W];
        for (int i = 0; i < n; i++)
            for (int t = 0; t < W; t++)
                for (int a = 0; a < W; a++) g[t * W + a] += u[i * W + t] * y[i * W + a];
        return g;
    }

    private static void AssertClose(double[] expected, double[] actual, double relative)
    {
        double scale = expected.Max(Math.Abs);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], relative * Math.Max(1, scale));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(597)]
    [InlineData(5003)] // several chunks
    public void PackUnpack_RoundTrip_AndEmptyLanesAreZero(int n)
    {
        var kernels = Cpu.Kernels(IInterleavedBlockKernels.Family);
        var columns = Enumerable.Range(0, 5).Select(j => Cpu.Upload(RandomSystems.Vector(n, 10 + j))).ToArray();
        using var block = Cpu.Upload<double>(RandomSystems.Vector(n * W, 3), new Shape(n, W));
        var lanes = new DeviceVector?[] { columns[0], null, columns[2], columns[3], columns[4] };
        kernels.Pack(lanes, 5, block);
        var host = block.ToArray();
        for (int i = 0; i < n; i++)
            for (int j = 0; j < W; j++)
                Assert.Equal(j < 5 && lanes[j] is { } c ? c.ToArray()[i] : 0, host[i * W + j]);
        var back = Enumerable.Range(0, 3).Select(_ => Cpu.Allocate(n)).ToArray();
        kernels.Unpack(block, back, 3);
        Assert.Equal(columns[0].ToArray(), back[0].ToArray());
        Assert.All(back[1].ToArray(), v => Assert.Equal(0.0, v));
        Assert.Equal(columns[2].ToArray(), back[2].ToArray());
    }

    [Theory]
    [InlineData(7)]
    [InlineData(5003)]
    public void UpdateGramsPairAndTransform_MatchSerialLoops(int n)
    {
        var kernels = Cpu.Kernels(IInterleavedBlockKernels.Family);
        var (y, yHost) = Block(n, 1);
        var (u, uHost) = Block(n, 2);
        var (z, zHost) = Block(n, 3);
        double[] m = Matrix(4), b = Matrix(5), e = Matrix(6);

        // Update: Y ← Y + U M with UᵀY and YᵀY.
        var uGram = new double[W * W];
        var yGram = new double[W * W];
        kernels.Update(y, u, m, uGram, yGram);
        var updated = new double[n * W];
        for (int i = 0; i < n; i++)
            for (int a = 0; a < W; a++)
            {
                var (v, s) = RowTimes(uHost, i, m, a);
                updated[i * W + a] = yHost[i * W + a] + v;
                Assert.Equal(updated[i * W + a], y.ToArray()[i * W + a], 1e-14 * Math.Max(1, s + Math.Abs(yHost[i * W + a])));
            }
        AssertClose(Gram(uHost, updated, n), uGram, 1e-12);
        AssertClose(Gram(updated, updated, n), yGram, 1e-12);

        // Grams: UᵀZ and YᵀZ.
        var g1 = new double[W * W];
        var g2 = new double[W * W];
        kernels.Grams(u, y, z, g1, g2);
        AssertClose(Gram(uHost, zHost, n), g1, 1e-12);
        AssertClose(Gram(updated, zHost, n), g2, 1e-12);

        // UpdatePair: X ← X + P A (X = y), P ← Z E + P B (P = u, in place).
        kernels.UpdatePair(y, u, z, m, b, e);
        var x = y.ToArray();
        var p = u.ToArray();
        for (int i = 0; i < n; i++)
            for (int a = 0; a < W; a++)
            {
                Assert.Equal(updated[i * W + a] + RowTimes(uHost, i, m, a).Value, x[i * W + a], 1e-13);
                Assert.Equal(RowTimes(zHost, i, e, a).Value + RowTimes(uHost, i, b, a).Value, p[i * W + a], 1e-13);
            }

        // Transform in place.
        kernels.Transform(z, m);
        var t = z.ToArray();
        for (int i = 0; i < n; i++)
            for (int a = 0; a < W; a++) Assert.Equal(RowTimes(zHost, i, m, a).Value, t[i * W + a], 1e-13);
    }

    [Fact]
    public void InterleavedSpmv_MatchesTheColumnProducts_WithItsGram()
    {
        if (!Vector512.IsHardwareAccelerated) Assert.Skip("The interleaved product runs on CPUs with 512-bit vectors.");
        const int n = 2003;
        var a = RandomSystems.Spd(n, seed: 5);
        using var matrix = Cpu.Upload(a);
        var op = (IInterleavedBlockOperator)matrix;
        Assert.True(op.SupportsInterleaved);
        var (x, xHost) = Block(n, 7);
        using var y = Cpu.Allocate<double>(new Shape(n, W));
        var gram = new double[W * W];
        op.ApplyInterleaved(x, y, W, gram);
        var yHost = y.ToArray();
        for (int j = 0; j < W; j++)
        {
            var column = Enumerable.Range(0, n).Select(i => xHost[i * W + j]).ToArray();
            var expected = Reference.Multiply(a, column);
            for (int i = 0; i < n; i++) Assert.Equal(expected[i], yHost[i * W + j], 1e-12 * Math.Max(1, Math.Abs(expected[i])));
        }
        AssertClose(Gram(xHost, yHost, n), gram, 1e-12);
        Assert.Throws<ArgumentException>(() => op.ApplyInterleaved(x, Cpu.Allocate<double>(new Shape(n - 1, W)), W, gram));

        // Without the Gram product: the same rows, and a Gram span of the wrong size is refused, not half-filled.
        using var z = Cpu.Allocate<double>(new Shape(n, W));
        op.ApplyInterleaved(x, z, W, []);
        Assert.Equal(yHost, z.ToArray());
        Assert.Throws<ArgumentException>(() => op.ApplyInterleaved(x, z, W, new double[W]));
    }

    [Fact]
    public void InterleavedRows_AreTheSame_WhetherTheyStreamPastTheCacheOrNot()
    {
        if (!Vector512.IsHardwareAccelerated) Assert.Skip("The interleaved product runs on CPUs with 512-bit vectors.");
        const int n = 1001;
        var a = RandomSystems.Spd(n, seed: 9);
        var x = RandomSystems.Vector(n * W, 4);
        // Rows go out by streaming stores into 64-byte aligned memory and by plain stores elsewhere (one element off).
        var aligned = CpuMemory<double>.Allocate(n * W);
        var misaligned = new double[n * W + 1];
        var g1 = new double[W * W];
        var g2 = new double[W * W];
        a.MultiplyRowsInterleaved(0, n, x, aligned.Span, g1);
        a.MultiplyRowsInterleaved(0, n, x, misaligned.AsSpan(1), g2);
        Assert.Equal(aligned.Span.ToArray(), misaligned[1..]);
        Assert.Equal(g1, g2);
    }

    [Fact]
    public void TheFamily_RefusesIlgpuDevices()
    {
        var e = Assert.ThrowsAny<Exception>(() => DeviceTargets.IlgpuCpu.Kernels(IInterleavedBlockKernels.Family));
        Assert.Contains("CPU layout", e.ToString());
    }
}
