using LearnedSolvers.Devices;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// The GPU kernels at sizes where the reductions use their full grid (thousands of groups, many grid-stride sweeps)
/// and SpMV covers hundreds of thousands of rows, against serial host loops. Too slow for ILGPU's CPU accelerator.
/// </summary>
[Trait("Category", "Gpu")]
public class CudaScaleTests
{
    [Theory]
    [InlineData(100_003)]
    [InlineData(4_000_037)]
    public void Reductions_MatchSerialSums_AtScale(int n)
    {
        var d = DeviceTargets.CudaOrSkip;
        var x = RandomSystems.Vector(n, 1);
        var y = RandomSystems.Vector(n, 2);
        double expected = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            expected += x[i] * y[i];
            scale += Math.Abs(x[i] * y[i]);
        }
        using var dx = d.Upload(x);
        using var dy = d.Upload(y);
        double dot = d.Dot(dx, dy);
        Assert.True(Math.Abs(dot - expected) <= 1e-13 * scale, $"{dot} vs {expected}");
        Assert.Equal(BitConverter.DoubleToInt64Bits(dot), BitConverter.DoubleToInt64Bits(d.Dot(dx, dy)));

        var basis = Enumerable.Range(0, 10).Select(k => d.Upload(RandomSystems.Vector(n, 10 + k))).ToArray();
        var h = new double[10];
        d.MultiDot(basis, 10, dx, h);
        for (int k = 0; k < 10; k++)
        {
            var v = basis[k].ToArray();
            double e = 0, s = 0;
            for (int i = 0; i < n; i++)
            {
                e += v[i] * x[i];
                s += Math.Abs(v[i] * x[i]);
            }
            Assert.True(Math.Abs(h[k] - e) <= 1e-13 * s, $"basis {k}");
        }
        foreach (var v in basis) v.Dispose();
    }

    [Fact]
    public void FusedSpmvDot_MatchesSerialProduct_AtScale_OnBothKernels()
    {
        var d = DeviceTargets.CudaOrSkip;
        foreach (var a in new[] { Poisson.ThreeD(64).Matrix, RandomSystems.Spd(50_000, 3, perRow: 60) })
        {
            int n = a.Rows;
            var x = RandomSystems.Vector(n, 4);
            var expected = Reference.Multiply(a, x);
            double dot = 0, scale = 0;
            for (int i = 0; i < n; i++)
            {
                dot += x[i] * expected[i];
                scale += Math.Abs(x[i] * expected[i]);
            }
            using var m = d.Upload(a);
            using var dx = d.Upload(x);
            using var dy = d.Allocate(n);
            double got = m.ApplyAndDot(dx, dy);
            Assert.True(Math.Abs(got - dot) <= 1e-13 * scale, $"lanes {((LearnedSolvers.Devices.Ilgpu.IlgpuCsrMatrix)m).LanesPerRow}: {got} vs {dot}");
            Assert.True(Reference.RelativeMaxError(dy.ToArray(), expected) <= 1e-14);
        }
    }
}
