using System.Runtime.CompilerServices;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>CPU kernels against naive serial loops, at sizes on both sides of the parallel threshold.</summary>
public class CpuDeviceTests
{
    private static readonly Device Cpu = Device.Cpu;

    public static TheoryData<int> Sizes => [1, 7, 597, 16384, 16385, 100_003];

    [Theory, InlineData(512), InlineData(513), InlineData(1000), InlineData(100_003)]
    public unsafe void Buffers_StartOnACacheLine_AndStartZeroed(int n)
    {
        Assert.True(n * sizeof(double) >= CpuMemory<double>.AlignedFrom);
        using var vector = Cpu.Allocate(n);
        using var block = Cpu.Allocate<float>(new Shape(n, 8));
        var memories = new[] { CpuVector.MemoryOf(vector, "test"), CpuBuffer<double>.MemoryOf(vector) };
        foreach (var memory in memories)
            Assert.Equal(0, (nint)Unsafe.AsPointer(ref memory.At(0)) % CpuMemory<double>.Alignment);
        Assert.Equal(0, (nint)Unsafe.AsPointer(ref CpuBuffer<float>.MemoryOf(block).At(0)) % CpuMemory<float>.Alignment);
        Assert.All(vector.ToArray(), v => Assert.Equal(0.0, v));
        Assert.All(block.ToArray(), v => Assert.Equal(0f, v));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Dot_MatchesSerialSum(int n)
    {
        var x = RandomSystems.Vector(n, 1);
        var y = RandomSystems.Vector(n, 2);
        double expected = 0;
        for (int i = 0; i < n; i++) expected += x[i] * y[i];
        Assert.Equal(expected, Cpu.Dot(Cpu.Upload(x), Cpu.Upload(y)), 1e-12 * Math.Sqrt(n));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Dot_IsBitwiseReproducible(int n)
    {
        var x = Cpu.Upload(RandomSystems.Vector(n, 3));
        var y = Cpu.Upload(RandomSystems.Vector(n, 4));
        double first = Cpu.Dot(x, y);
        for (int k = 0; k < 20; k++) Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(Cpu.Dot(x, y)));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void ElementwiseKernels_MatchSerialLoops(int n)
    {
        var x = RandomSystems.Vector(n, 5);
        var y = RandomSystems.Vector(n, 6);
        var dx = Cpu.Upload(x);
        var dy = Cpu.Upload(y);
        var dz = Cpu.Allocate(n);

        Cpu.Waxpby(2.5, dx, -0.5, dy, dz);
        var z = dz.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(2.5 * x[i] - 0.5 * y[i], z[i], 14);

        Cpu.Axpy(-3, dx, dy);
        var y2 = dy.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(y[i] - 3 * x[i], y2[i], 14);

        Cpu.Axpby(0.5, dx, 2, dy);
        var y3 = dy.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(0.5 * x[i] + 2 * y2[i], y3[i], 14);

        Cpu.PointwiseMultiply(dx, dz, dy);
        var y4 = dy.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(x[i] * z[i], y4[i], 14);

        Cpu.Scale(-2, dx);
        Cpu.Copy(dx, dz);
        var z2 = dz.ToArray();
        for (int i = 0; i < n; i++) Assert.Equal(-2 * x[i], z2[i]);

        Cpu.Fill(dz, 7);
        Assert.All(dz.ToArray(), v => Assert.Equal(7.0, v));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void UpdateWithNorm_UpdatesXAndR_AndReturnsResidualNormSquared(int n)
    {
        var p = RandomSystems.Vector(n, 7);
        var q = RandomSystems.Vector(n, 8);
        var x = RandomSystems.Vector(n, 9);
        var r = RandomSystems.Vector(n, 10);
        var dx = Cpu.Upload(x);
        var dr = Cpu.Upload(r);
        double rr = Cpu.Kernels(IKrylovKernels.Family).UpdateWithNorm(0.3, Cpu.Upload(p), Cpu.Upload(q), dx, dr);
        double expected = 0;
        var x2 = dx.ToArray();
        var r2 = dr.ToArray();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(x[i] + 0.3 * p[i], x2[i], 14);
            Assert.Equal(r[i] - 0.3 * q[i], r2[i], 14);
            expected += r2[i] * r2[i];
        }
        Assert.Equal(expected, rr, 1e-12 * Math.Max(1, expected));
    }

    [Theory]
    [InlineData(5, 40_000)]
    [InlineData(1, 3)]
    public void MultiDotAndMultiAxpy_MatchSingleVectorKernels(int count, int n)
    {
        var basis = Enumerable.Range(0, count).Select(i => Cpu.Upload(RandomSystems.Vector(n, 20 + i))).ToList();
        var w = Cpu.Upload(RandomSystems.Vector(n, 99));
        var h = new double[count];
        Cpu.MultiDot(basis, count, w, h);
        for (int i = 0; i < count; i++) Assert.Equal(Cpu.Dot(basis[i], w), h[i], 1e-10);

        var expected = w.ToArray();
        for (int i = 0; i < count; i++)
        {
            var v = basis[i].ToArray();
            for (int j = 0; j < n; j++) expected[j] -= h[i] * v[j];
        }
        Cpu.MultiAxpy(basis, count, h, w);
        var got = w.ToArray();
        for (int j = 0; j < n; j++) Assert.Equal(expected[j], got[j], 12);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(70_001)]
    public void SpMV_AndFusedDot_MatchReference(int n)
    {
        var a = RandomSystems.Nonsymmetric(n, seed: n);
        var x = RandomSystems.Vector(n, 11);
        var expected = Reference.Multiply(a, x);
        var m = Cpu.Upload(a);
        var dx = Cpu.Upload(x);
        var dy = Cpu.Allocate(n);
        double xy = m.ApplyAndDot(dx, dy);
        var y = dy.ToArray();
        double dot = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], y[i], 12);
            dot += x[i] * expected[i];
        }
        Assert.Equal(dot, xy, 1e-10 * Math.Max(1, Math.Abs(dot)));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(300)]
    [InlineData(70_001)]
    public void FusedResidual_MatchesReference_AlsoInPlace(int n)
    {
        var a = RandomSystems.Nonsymmetric(n, seed: n + 1);
        var x = RandomSystems.Vector(n, 12);
        var b = RandomSystems.Vector(n, 13);
        var ax = Reference.Multiply(a, x);
        var m = Cpu.Upload(a);
        var r = Cpu.Allocate(n);
        m.Residual(Cpu.Upload(b), Cpu.Upload(x), r);
        var inPlace = Cpu.Upload(b);
        m.Residual(inPlace, Cpu.Upload(x), inPlace);
        var (fresh, aliased) = (r.ToArray(), inPlace.ToArray());
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(b[i] - ax[i], fresh[i], 12);
            Assert.Equal(fresh[i], aliased[i]);
        }
    }

    [Fact]
    public void Kernels_RejectVectorsOfWrongLength()
    {
        var e = Assert.Throws<ArgumentException>(() => Cpu.Dot(Cpu.Allocate(3), Cpu.Allocate(4)));
        Assert.Contains("length 4", e.Message);
    }

    [Fact]
    public void ConcurrentCallers_GetCorrectResults()
    {
        int n = 200_000;
        var x = Cpu.Upload(RandomSystems.Vector(n, 1));
        double expected = Cpu.Dot(x, x);
        var results = new double[8];
        Parallel.For(0, 8, i =>
        {
            for (int k = 0; k < 50; k++) results[i] = Cpu.Dot(x, x);
        });
        Assert.All(results, r => Assert.Equal(expected, r));
    }
}
