using LearnedSolvers.Devices;
using LearnedSolvers.Krylov.Kernels;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov.Kernels;

/// <summary>
/// The fused Krylov steps (<see cref="IKrylovKernels"/>) against plain serial loops on the host, on random data of odd
/// sizes, including the broken-down step that must leave x and r alone. Written once; subclasses pick the device.
/// </summary>
public abstract class KrylovKernelTests
{
    protected abstract Device Device { get; }

    private IKrylovKernels Kernels => Device.Kernels(IKrylovKernels.Family);

    public static TheoryData<int> Sizes => [1, 7, 597, 1000];

    private static double SerialDot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], actual[i], 1e-14 * Math.Max(1, Math.Abs(expected[i])));
    }

    private static long Bits(double v) => BitConverter.DoubleToInt64Bits(v);

    private double[] Read(DeviceScalars s)
    {
        var values = new double[s.Count];
        s.CopyTo(values);
        return values;
    }

    [Theory, MemberData(nameof(Sizes))]
    public void UpdateWithNorm_MatchesSerialLoop_AndIsBitwiseReproducible(int n)
    {
        var p = RandomSystems.Vector(n, 9);
        var q = RandomSystems.Vector(n, 10);
        var x = RandomSystems.Vector(n, 11);
        var r = RandomSystems.Vector(n, 12);
        var dp = Device.Upload(p);
        var dq = Device.Upload(q);
        var dx = Device.Upload(x);
        var dr = Device.Upload(r);
        double rr = Kernels.UpdateWithNorm(0.3, dp, dq, dx, dr);

        var x2 = x.Select((v, i) => v + 0.3 * p[i]).ToArray();
        var r2 = r.Select((v, i) => v - 0.3 * q[i]).ToArray();
        AssertClose(x2, dx.ToArray());
        AssertClose(r2, dr.ToArray());
        Assert.Equal(SerialDot(r2, r2), rr, 1e-14 * Math.Max(1, SerialDot(r2, r2)));

        dx.CopyFrom(x);
        dr.CopyFrom(r);
        Assert.Equal(Bits(rr), Bits(Kernels.UpdateWithNorm(0.3, dp, dq, dx, dr)));
    }

    [Theory]
    [InlineData(7, false)]
    [InlineData(597, true)]
    public void CgStep_TakesAlphaFromTheScalars_AndFusesTheScaling(int n, bool scaled)
    {
        var p = RandomSystems.Vector(n, 13);
        var q = RandomSystems.Vector(n, 14);
        var x = RandomSystems.Vector(n, 15);
        var r = RandomSystems.Vector(n, 16);
        var d = RandomSystems.Vector(n, 17, low: 0.5, high: 2);
        var dx = Device.Upload(x);
        var dr = Device.Upload(r);
        var dz = Device.Allocate(n);
        using var s = Device.AllocateScalars(4);
        s.CopyFrom([0.6, 2.0, 0, 0]); // rz, pq: α = 0.3
        Kernels.CgStep(s, 0, 1, 2, Device.Upload(p), Device.Upload(q), dx, dr, dz, scaled ? Device.Upload(d) : null);

        var x2 = x.Select((v, i) => v + 0.3 * p[i]).ToArray();
        var r2 = r.Select((v, i) => v - 0.3 * q[i]).ToArray();
        var z2 = scaled ? r2.Select((v, i) => d[i] * v).ToArray() : r2;
        AssertClose(x2, dx.ToArray());
        AssertClose(r2, dr.ToArray());
        if (scaled) AssertClose(z2, dz.ToArray());
        var values = Read(s);
        Assert.Equal(SerialDot(r2, z2), values[2], 1e-13 * Math.Max(1, Math.Abs(SerialDot(r2, z2))));
        Assert.Equal(SerialDot(r2, r2), values[3], 1e-13 * Math.Max(1, SerialDot(r2, r2)));
    }

    [Fact]
    public void CgStep_OnANonPositiveCurvature_LeavesXAndRAlone()
    {
        int n = 31;
        var x = RandomSystems.Vector(n, 18);
        var r = RandomSystems.Vector(n, 19);
        var dx = Device.Upload(x);
        var dr = Device.Upload(r);
        using var s = Device.AllocateScalars(4);
        s.CopyFrom([1.0, -2.0, 0, 0]); // pᵀAp < 0: α = 0
        Kernels.CgStep(s, 0, 1, 2, Device.Upload(RandomSystems.Vector(n, 20)), Device.Upload(RandomSystems.Vector(n, 21)), dx, dr, null, null);
        Assert.Equal(x, dx.ToArray());
        Assert.Equal(r, dr.ToArray());
        Assert.Equal(SerialDot(r, r), Read(s)[3], 1e-13 * SerialDot(r, r));
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(-1.0)]
    public void CgDirection_FormsBetaFromTheScalars(double factor)
    {
        int n = 597;
        var z = RandomSystems.Vector(n, 22);
        var p = RandomSystems.Vector(n, 23);
        var dp = Device.Upload(p);
        using var s = Device.AllocateScalars(2);
        s.CopyFrom([3.0, 4.0]); // β = factor · 3/4
        Kernels.CgDirection(s, 0, 1, Device.Upload(z), dp, factor);
        AssertClose(z.Select((v, i) => v + factor * 0.75 * p[i]).ToArray(), dp.ToArray());
    }

    [Fact]
    public void ScaledAxpyWithNorm_WritesTheNewNorm_AndTakesZeroForADivisionByZero()
    {
        int n = 597;
        var x = RandomSystems.Vector(n, 24);
        var y = RandomSystems.Vector(n, 25);
        var dy = Device.Upload(y);
        using var s = Device.AllocateScalars(3);
        s.CopyFrom([1.0, 4.0, 0]);
        Kernels.ScaledAxpyWithNorm(s, 0, 1, Device.Upload(x), dy, 2);
        var y2 = y.Select((v, i) => v - 0.25 * x[i]).ToArray();
        AssertClose(y2, dy.ToArray());
        Assert.Equal(SerialDot(y2, y2), Read(s)[2], 1e-13 * SerialDot(y2, y2));

        s.CopyFrom([1.0, 0.0, 0]);
        Kernels.ScaledAxpyWithNorm(s, 0, 1, Device.Upload(x), dy, 2);
        AssertClose(y2, dy.ToArray());
    }
}

public sealed class CpuKrylovKernelTests : KrylovKernelTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;
}

public sealed class IlgpuCpuKrylovKernelTests : KrylovKernelTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

public sealed class IlgpuCpuWarp32KrylovKernelTests : KrylovKernelTests
{
    protected override Device Device => DeviceTargets.IlgpuCpuWarp32;
}

[Trait("Category", "Gpu")]
public sealed class CudaKrylovKernelTests : KrylovKernelTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
