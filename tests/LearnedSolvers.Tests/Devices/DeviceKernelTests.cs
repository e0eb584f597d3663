using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// Every vector kernel of the <see cref="LearnedSolvers.Devices.Device"/> API against a plain serial loop on the host,
/// on random data of odd sizes (Ginkgo's "equivalent to reference" tests). Written once; subclasses pick the device.
/// </summary>
public abstract class DeviceKernelTests
{
    protected abstract Device Device { get; }

    public static TheoryData<int> Sizes => [1, 7, 597, 1000];

    /// <summary>Σ|x_i y_i|: the scale a rounding error of a dot is judged against.</summary>
    private static double AbsDot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += Math.Abs(x[i] * y[i]);
        return s;
    }

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

    [Theory, MemberData(nameof(Sizes))]
    public void DotAndNorm_MatchSerialSums_AndAreBitwiseReproducible(int n)
    {
        var x = RandomSystems.Vector(n, 1);
        var y = RandomSystems.Vector(n, 2);
        var dx = Device.Upload(x);
        var dy = Device.Upload(y);
        double dot = Device.Dot(dx, dy);
        Assert.Equal(SerialDot(x, y), dot, 1e-14 * Math.Max(1, AbsDot(x, y)));
        Assert.Equal(Math.Sqrt(SerialDot(x, x)), Device.Norm2(dx), 1e-14 * Math.Sqrt(AbsDot(x, x)));
        Assert.Equal(Bits(dot), Bits(Device.Dot(dx, dy)));
        Assert.Equal(Bits(Device.Dot(dy, dx)), Bits(Device.Dot(dy, dx)));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void AxpyAxpbyScale_MatchSerialLoops(int n)
    {
        var x = RandomSystems.Vector(n, 3);
        var y = RandomSystems.Vector(n, 4);
        var dx = Device.Upload(x);
        var dy = Device.Upload(y);

        Device.Axpy(-3, dx, dy);
        var expected = y.Select((v, i) => v + -3 * x[i]).ToArray();
        AssertClose(expected, dy.ToArray());

        Device.Axpby(0.5, dx, 2, dy);
        expected = expected.Select((v, i) => 0.5 * x[i] + 2 * v).ToArray();
        AssertClose(expected, dy.ToArray());

        Device.Scale(-1.5, dx);
        AssertClose(x.Select(v => -1.5 * v).ToArray(), dx.ToArray());

        Device.Scale(0, dx);
        Assert.All(dx.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Theory, MemberData(nameof(Sizes))]
    public void Waxpby_MatchesSerialLoop_IncludingAliasedOutputs(int n)
    {
        var x = RandomSystems.Vector(n, 5);
        var y = RandomSystems.Vector(n, 6);
        var expected = x.Select((v, i) => 2.5 * v - 0.5 * y[i]).ToArray();

        var dz = Device.Allocate(n);
        Device.Waxpby(2.5, Device.Upload(x), -0.5, Device.Upload(y), dz);
        AssertClose(expected, dz.ToArray());

        var zIsX = Device.Upload(x);
        Device.Waxpby(2.5, zIsX, -0.5, Device.Upload(y), zIsX);
        AssertClose(expected, zIsX.ToArray());

        var zIsY = Device.Upload(y);
        Device.Waxpby(2.5, Device.Upload(x), -0.5, zIsY, zIsY);
        AssertClose(expected, zIsY.ToArray());

        var all = Device.Upload(x);
        Device.Waxpby(2, all, -1, all, all);
        AssertClose(x, all.ToArray());
    }

    [Theory, MemberData(nameof(Sizes))]
    public void CopyFillPointwise_MatchSerialLoops(int n)
    {
        var a = RandomSystems.Vector(n, 7);
        var x = RandomSystems.Vector(n, 8);
        var da = Device.Upload(a);
        var dx = Device.Upload(x);
        var dy = Device.Allocate(n);
        Assert.All(dy.ToArray(), v => Assert.Equal(0.0, v));

        Device.PointwiseMultiply(da, dx, dy);
        AssertClose(a.Select((v, i) => v * x[i]).ToArray(), dy.ToArray());

        Device.PointwiseMultiply(da, dx, dx);
        AssertClose(a.Select((v, i) => v * x[i]).ToArray(), dx.ToArray());

        Device.Copy(da, dy);
        Assert.Equal(a, dy.ToArray());

        Device.Fill(dy, -7.25);
        Assert.All(dy.ToArray(), v => Assert.Equal(-7.25, v));
    }

    [Theory]
    [InlineData(1, 7)]
    [InlineData(3, 597)]
    [InlineData(8, 1000)]
    [InlineData(9, 597)]
    [InlineData(17, 1)]
    [InlineData(40, 101)]
    public void MultiDotAndMultiAxpy_MatchSerialLoops(int count, int n)
    {
        var host = Enumerable.Range(0, count).Select(i => RandomSystems.Vector(n, 20 + i)).ToArray();
        var basis = host.Select(v => Device.Upload(v)).ToList();
        var w = RandomSystems.Vector(n, 99);
        var dw = Device.Upload(w);

        var h = new double[count + 2]; // room to spare: only the first count entries are written
        h[count] = h[count + 1] = 42;
        Device.MultiDot(basis, count, dw, h);
        for (int i = 0; i < count; i++) Assert.Equal(SerialDot(host[i], w), h[i], 1e-14 * Math.Max(1, AbsDot(host[i], w)));
        Assert.Equal(42, h[count]);

        var again = new double[count];
        Device.MultiDot(basis, count, dw, again);
        for (int i = 0; i < count; i++) Assert.Equal(Bits(h[i]), Bits(again[i]));

        var expected = (double[])w.Clone();
        for (int i = 0; i < count; i++)
            for (int j = 0; j < n; j++) expected[j] -= h[i] * host[i][j];
        Device.MultiAxpy(basis, count, h, dw);
        var got = dw.ToArray();
        for (int j = 0; j < n; j++) Assert.Equal(expected[j], got[j], 1e-13 * Math.Max(1, Math.Abs(expected[j])));
    }

    [Theory]
    [InlineData(1, 1, 7)]
    [InlineData(5, 3, 597)]
    [InlineData(4, 2, 1000)]
    [InlineData(9, 5, 5000)]   // several chunks on the CPU
    [InlineData(41, 20, 3001)] // GCRO-DR(40, 20)'s recycle update
    public void MultiDotBlockAndLinearCombinations_MatchSerialLoops(int count, int columns, int n)
    {
        const int pad = 3; // leading dimension count + pad: the gaps must stay untouched
        int ld = count + pad;
        var host = Enumerable.Range(0, count).Select(i => RandomSystems.Vector(n, 50 + i)).ToArray();
        var basis = host.Select(v => Device.Upload(v)).ToList();
        var vectors = Enumerable.Range(0, columns).Select(j => RandomSystems.Vector(n, 500 + j)).ToArray();

        var result = Enumerable.Repeat(42.0, columns * ld).ToArray();
        Device.MultiDotBlock(basis, count, vectors.Select(v => Device.Upload(v)).ToList(), columns, result, ld);
        for (int j = 0; j < columns; j++)
        {
            for (int i = 0; i < count; i++)
                Assert.Equal(SerialDot(host[i], vectors[j]), result[j * ld + i], 1e-14 * Math.Max(1, AbsDot(host[i], vectors[j])));
            for (int i = count; i < ld; i++) Assert.Equal(42, result[j * ld + i]);
        }

        var coefficients = RandomSystems.Vector(columns * ld, 7);
        var outputs = Enumerable.Range(0, columns).Select(j => Device.Upload(RandomSystems.Vector(n, 900 + j))).ToList(); // overwritten, not added to
        Device.LinearCombinations(basis, count, coefficients, ld, outputs, columns);
        for (int j = 0; j < columns; j++)
        {
            var got = outputs[j].ToArray();
            for (int p = 0; p < n; p++)
            {
                double expected = 0, scale = 0;
                for (int i = 0; i < count; i++)
                {
                    expected += coefficients[j * ld + i] * host[i][p];
                    scale += Math.Abs(coefficients[j * ld + i] * host[i][p]);
                }
                Assert.Equal(expected, got[p], 1e-14 * Math.Max(1, scale));
            }
        }
    }

    [Fact]
    public void MultiDotBlock_RejectsAShortResult()
    {
        var basis = new[] { Device.Allocate(4), Device.Allocate(4) };
        var e = Assert.Throws<ArgumentException>(() => Device.MultiDotBlock(basis, 2, basis, 2, new double[4], ld: 3));
        Assert.Contains("needs 5 values", e.Message);
    }

    [Fact]
    public void MultiDot_OfCountZero_TouchesNothing()
    {
        var w = Device.Upload(RandomSystems.Vector(5, 1));
        var result = new[] { 3.0 };
        Device.MultiDot([], 0, w, result);
        Device.MultiAxpy([], 0, [], w);
        Assert.Equal(3.0, result[0]);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(597)]
    public void SpmvAndApplyAndDot_MatchSerialReference(int n)
    {
        var a = RandomSystems.Nonsymmetric(n, seed: n);
        var x = RandomSystems.Vector(n, 13);
        var expected = Reference.Multiply(a, x);
        using var m = Device.Upload(a);
        var dx = Device.Upload(x);
        var dy = Device.Allocate(n);
        double xy = m.ApplyAndDot(dx, dy);
        AssertClose(expected, dy.ToArray());
        Assert.Equal(SerialDot(x, expected), xy, 1e-13 * Math.Max(1, AbsDot(x, expected)));
        Assert.Equal(Bits(xy), Bits(m.ApplyAndDot(dx, dy)));
    }

    [Fact]
    public void Kernels_RejectVectorsOfWrongLength_WithADimensionError_NotADeviceMismatch()
    {
        // Assert.Throws wants the exact type: a DeviceMismatchException (also an ArgumentException) fails it.
        var e = Assert.Throws<ArgumentException>(() => Device.Dot(Device.Allocate(3), Device.Allocate(4)));
        Assert.Contains("length 4", e.Message);
        Assert.Throws<ArgumentException>(() => Device.Axpy(1, Device.Allocate(4), Device.Allocate(3)));
        using var m = Device.Upload(RandomSystems.Spd(4, 1));
        Assert.Throws<ArgumentException>(() => m.Apply(Device.Allocate(5), Device.Allocate(4)));
    }

    [Fact]
    public void Kernels_RejectVectorsOfAnotherDevice()
    {
        var other = ReferenceEquals(Device, LearnedSolvers.Devices.Device.Cpu) ? LearnedSolvers.Devices.Device.IlgpuCpu() : LearnedSolvers.Devices.Device.Cpu;
        var foreign = other.Allocate(4);
        var e = Assert.Throws<DeviceMismatchException>(() => Device.Axpy(1, foreign, Device.Allocate(4)));
        Assert.Contains($"'{other.Name}'", e.Message);
        Assert.Throws<DeviceMismatchException>(() => Device.MultiDot([Device.Allocate(4), foreign], 2, Device.Allocate(4), new double[2]));
        using var m = Device.Upload(RandomSystems.Spd(4, 1));
        Assert.Throws<DeviceMismatchException>(() => m.Apply(foreign, Device.Allocate(4)));
    }
}

public sealed class CpuDeviceKernelTests : DeviceKernelTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;
}

public sealed class IlgpuCpuDeviceKernelTests : DeviceKernelTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaDeviceKernelTests : DeviceKernelTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}

public sealed class IlgpuCpuWarp32DeviceKernelTests : DeviceKernelTests
{
    protected override Device Device => DeviceTargets.IlgpuCpuWarp32;
}
