using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>The sliced ELL matrix against the serial CSR reference, written once per ILGPU device.</summary>
public abstract class SlicedEllTests
{
    protected abstract IlgpuDevice Device { get; }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(597, 3)]
    public void SpmvAndFusedDot_MatchTheReference_WithUnevenRows(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed, perRow: 9);
        var x = RandomSystems.Vector(n, seed + 1);
        var expected = Reference.Multiply(a, x);
        using var m = Device.UploadSlicedEll(a);
        Assert.True(m.PaddingRatio >= 1);
        var dx = Device.Upload(x);
        var dy = Device.Allocate(n);
        m.Apply(dx, dy);
        var y = dy.ToArray();
        double dot = 0;
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(expected[i], y[i], 12);
            dot += x[i] * expected[i];
        }
        var dz = Device.Allocate(n);
        Assert.Equal(dot, m.ApplyAndDot(dx, dz), 1e-10 * Math.Max(1, Math.Abs(dot)));
        Assert.Equal(dy.ToArray(), dz.ToArray());
    }

    [Fact]
    public void OnAStencil_PadsLittle_AndCgTakesTheCsrIterations()
    {
        var s = Poisson.TwoD(20);
        using var sell = Device.UploadSlicedEll(s.Matrix);
        Assert.True(sell.PaddingRatio < 1.1, $"padding {sell.PaddingRatio}");
        int Iterations(DeviceCsrMatrix a)
        {
            var x = Device.Allocate(s.Size);
            var result = KrylovSolvers.Create(KrylovMethod.Cg, a).Solve(Device.Upload(s.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
            return result.Iterations;
        }
        using var csr = Device.Upload(s.Matrix);
        Assert.InRange(Iterations(sell), Iterations(csr) - 1, Iterations(csr) + 1);
    }

    [Fact]
    public void RejectsANonSquareMatrix() =>
        Assert.Throws<ArgumentException>(() => Device.UploadSlicedEll(CsrMatrix.FromTriplets(2, 3, [0], [2], [1.0])));
}

public sealed class IlgpuCpuSlicedEllTests : SlicedEllTests
{
    protected override IlgpuDevice Device => DeviceTargets.IlgpuCpu;
}

public sealed class IlgpuCpuWarp32SlicedEllTests : SlicedEllTests
{
    protected override IlgpuDevice Device => DeviceTargets.IlgpuCpuWarp32;
}

[Trait("Category", "Gpu")]
public sealed class CudaSlicedEllTests : SlicedEllTests
{
    protected override IlgpuDevice Device => DeviceTargets.CudaOrSkip;
}
