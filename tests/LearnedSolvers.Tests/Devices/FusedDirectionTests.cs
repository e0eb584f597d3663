using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov.Kernels;
using LearnedSolvers.Sequences;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// CG's next direction formed inside the product (<see cref="IFusedDirectionApplyDot"/>) gives the bits of forming it
/// first (the direction kernel, then the fused product): on every kernel and format, for finite and non-finite β, and
/// through a counting wrapper whether or not the wrapped operator fuses.
/// </summary>
public abstract class FusedDirectionTests
{
    protected abstract IlgpuDevice Device { get; }

    private IEnumerable<IlgpuMatrix> Formats(CsrMatrix a)
    {
        for (int lanes = 1; lanes <= Device.WarpSize; lanes *= 2) yield return Device.Upload(a, lanes);
        yield return Device.UploadSlicedEll(a);
    }

    [Theory]
    [InlineData(1, 0.75)]
    [InlineData(7, -1.5)]
    [InlineData(597, 0.3)]
    [InlineData(1000, double.PositiveInfinity)]
    public void DirectionInsideTheProduct_EqualsDirectionThenProduct(int n, double rzNew)
    {
        var a = RandomSystems.Spd(n, n);
        using var s = Device.AllocateScalars(4);
        s.CopyFrom([rzNew, 2.0, 0, 0]); // β = s[0] / s[1]; an infinite β counts as 0
        using var z = Device.Upload(RandomSystems.Vector(n, 1));
        using var p = Device.Upload(RandomSystems.Vector(n, 2));
        using var pNext = Device.Allocate(n);
        using var q = Device.Allocate(n);
        using var pExpected = Device.Allocate(n);
        using var qExpected = Device.Allocate(n);
        var kernels = Device.Kernels(IKrylovKernels.Family);
        foreach (var m in Formats(a))
        {
            using (m)
            {
                Device.Copy(p, pExpected);
                kernels.CgDirection(s, 0, 1, z, pExpected);
                m.ApplyAndDotTo(pExpected, qExpected, s, 3);
                Device.Fill(pNext, double.NaN);
                Device.Fill(q, double.NaN);
                m.DirectionApplyAndDotTo(z, p, pNext, q, s, 0, 1, 2);
                var dots = new double[4];
                s.CopyTo(dots);
                Assert.Equal(pExpected.ToArray(), pNext.ToArray());
                Assert.Equal(qExpected.ToArray(), q.ToArray());
                Assert.Equal(dots[3], dots[2]);
            }
        }
    }

    [Fact]
    public void CountingWrapper_FormsTheDirection_WithOrWithoutAFusingInner()
    {
        int n = 300;
        var a = RandomSystems.Spd(n, 5);
        using var m = Device.Upload(a);
        using var s = Device.AllocateScalars(4);
        s.CopyFrom([3.0, 2.0, 0, 0]);
        using var z = Device.Upload(RandomSystems.Vector(n, 6));
        using var p = Device.Upload(RandomSystems.Vector(n, 7));
        var results = new List<(double[] P, double[] Q, double Dot)>();
        foreach (var counting in new[] { new CountingOperator(m), new CountingOperator(new ApplyOnly(m)) })
        {
            using var pNext = Device.Allocate(n);
            using var q = Device.Allocate(n);
            counting.DirectionApplyAndDotTo(z, p, pNext, q, s, 0, 1, 2);
            Assert.Equal(1, counting.Count);
            var dots = new double[4];
            s.CopyTo(dots);
            results.Add((pNext.ToArray(), q.ToArray(), dots[2]));
        }
        Assert.Equal(results[0].P, results[1].P);
        Assert.Equal(results[0].Q, results[1].Q);
        Assert.Equal(results[0].Dot, results[1].Dot, 1e-12 * Math.Abs(results[0].Dot));
    }

    [Fact]
    public void PNextSharingAVector_IsRefused()
    {
        var a = RandomSystems.Spd(10, 1);
        using var m = Device.Upload(a, lanesPerRow: 1);
        using var s = Device.AllocateScalars(4);
        using var z = Device.Allocate(10);
        using var p = Device.Allocate(10);
        using var q = Device.Allocate(10);
        Assert.Throws<ArgumentException>(() => m.DirectionApplyAndDotTo(z, p, p, q, s, 0, 1, 2));
        Assert.Throws<ArgumentException>(() => m.DirectionApplyAndDotTo(z, p, z, q, s, 0, 1, 2));
    }

    /// <summary>An operator with Apply alone: the wrapper must form the direction itself.</summary>
    private sealed class ApplyOnly(ILinearOperator inner) : ILinearOperator
    {
        public int Rows => inner.Rows;
        public int Columns => inner.Columns;
        public LearnedSolvers.Devices.Device Device => inner.Device;
        public void Apply(DeviceVector x, DeviceVector y) => inner.Apply(x, y);
    }
}

public sealed class IlgpuCpuFusedDirectionTests : FusedDirectionTests
{
    protected override IlgpuDevice Device => DeviceTargets.IlgpuCpu;
}

public sealed class IlgpuCpuWarp32FusedDirectionTests : FusedDirectionTests
{
    protected override IlgpuDevice Device => DeviceTargets.IlgpuCpuWarp32;
}

[Trait("Category", "Gpu")]
public sealed class CudaFusedDirectionTests : FusedDirectionTests
{
    protected override IlgpuDevice Device => DeviceTargets.CudaOrSkip;
}
