using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// Typed, shaped device buffers: views share memory without copies, conversions round as the host does, and any use
/// after Dispose throws. Written once; subclasses pick the device.
/// </summary>
public abstract class DeviceBufferTests
{
    protected abstract Device Device { get; }

    private IBufferKernels Kernels => Device.Kernels(IBufferKernels.Family);

    private static double[] RandomValues(int n, int seed)
    {
        var random = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = random.NextDouble() * 2 - 1;
        return v;
    }

    [Fact]
    public void AllocatedBuffers_AreZero_AndRoundTripTheirValues()
    {
        using var floats = Device.Allocate<float>(new Shape(2, 3, 5, 7));
        Assert.Equal(210, floats.Length);
        Assert.All(floats.ToArray(), v => Assert.Equal(0f, v));
        var values = Enumerable.Range(0, 210).Select(i => i * 0.5f).ToArray();
        floats.CopyFrom(values);
        Assert.Equal(values, floats.ToArray());
    }

    [Fact]
    public void ADoubleBufferOfRankOne_IsAVector_ThatTheSolverKernelsTake()
    {
        using var buffer = Device.Allocate<double>(Shape.Vector(597));
        var v = Assert.IsAssignableFrom<DeviceVector>(buffer);
        Device.Fill(v, 2);
        Assert.Equal(4.0 * 597, Device.Dot(v, v));
    }

    [Theory]
    [InlineData(597, 3)]
    [InlineData(1, 1)]
    [InlineData(16385, 2)]
    public void Columns_OfABlock_AreViewsOfItsMemory(int rows, int columns)
    {
        var values = RandomValues(rows * columns, rows);
        using var block = Device.Upload<double>(values, Shape.Block(rows, columns));
        Assert.Equal(new Shape(columns, rows), block.Shape);
        for (int j = 0; j < columns; j++)
        {
            var column = block.Column(j);
            Assert.True(column.IsView);
            Assert.Equal(values.AsSpan(j * rows, rows).ToArray(), column.ToArray());
            Device.Scale(2, column); // writes through to the block
        }
        Assert.Equal(values.Select(v => 2 * v).ToArray(), block.ToArray());
    }

    [Fact]
    public void KernelsOnViews_TouchOnlyTheirWindow()
    {
        var values = RandomValues(1000, 1);
        using var buffer = Device.Upload<double>(values, Shape.Vector(1000));
        var x = (DeviceVector)buffer.Range(3, 401);
        var y = (DeviceVector)buffer.Range(597, 401);
        Device.Axpy(1, x, y);
        var expected = (double[])values.Clone();
        for (int i = 0; i < 401; i++) expected[597 + i] += values[3 + i];
        Assert.Equal(expected, buffer.ToArray());
        double dot = 0;
        for (int i = 0; i < 401; i++) dot += values[3 + i] * expected[597 + i];
        Assert.Equal(dot, Device.Dot(x, y), 1e-12);
    }

    [Fact]
    public void SpmvOnColumnViews_EqualsSpmvOnWholeVectors()
    {
        var a = RandomSystems.Spd(597, seed: 4);
        using var matrix = Device.Upload(a);
        var values = RandomValues(2 * 597, 5);
        using var block = Device.Upload<double>(values, Shape.Block(597, 2));
        using var result = Device.Allocate<double>(Shape.Block(597, 2));
        matrix.Apply(block.Column(1), result.Column(0));
        var expected = new double[597];
        a.Multiply(values.AsSpan(597, 597).ToArray(), expected);
        var actual = result.Column(0).ToArray();
        for (int i = 0; i < 597; i++) Assert.Equal(expected[i], actual[i], 1e-12);
        Assert.All(result.Column(1).ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void SlicesOfABatch_AndReshapes_ShareMemory()
    {
        using var batch = Device.Allocate<float>(new Shape(4, 2, 3, 5));
        var sample = batch.Slice(2);
        Assert.Equal(new Shape(2, 3, 5), sample.Shape);
        Kernels.Fill(sample, 1.5f);
        var all = batch.ToArray();
        for (int i = 0; i < all.Length; i++) Assert.Equal(i / 30 == 2 ? 1.5f : 0f, all[i]);
        var flat = batch.Reshape(new Shape(120));
        Assert.Equal(all, flat.ToArray());
        Assert.Throws<ArgumentException>(() => batch.Reshape(new Shape(7, 17)));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Slice(4));
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Range(100, 21));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(597)]
    [InlineData(40000)]
    public void Conversions_RoundLikeTheHost(int n)
    {
        var values = RandomValues(n, n);
        values[0] = n > 1 ? 1e300 : values[0]; // beyond float's range: infinity, as a host cast gives
        using var doubles = Device.Upload<double>(values, Shape.Vector(n));
        using var floats = Device.Allocate<float>(Shape.Vector(n));
        Kernels.Convert(doubles, floats);
        var expectedFloats = values.Select(v => (float)v).ToArray();
        Assert.Equal(expectedFloats, floats.ToArray());
        using var back = Device.Allocate<double>(Shape.Vector(n));
        Kernels.Convert(floats, back);
        Assert.Equal(expectedFloats.Select(v => (double)v).ToArray(), back.ToArray());
    }

    [Fact]
    public void CopyOfFloats_CopiesAndChecksLengths()
    {
        using var source = Device.Upload<float>([1f, 2f, 3f], Shape.Vector(3));
        using var destination = Device.Allocate<float>(Shape.Vector(3));
        Kernels.Copy(source, destination);
        Assert.Equal([1f, 2f, 3f], destination.ToArray());
        using var wrong = Device.Allocate<float>(Shape.Vector(4));
        Assert.Throws<ArgumentException>(() => Kernels.Copy(source, wrong));
    }

    [Fact]
    public void UseAfterDispose_Throws_ForBuffersViewsVectorsMatricesAndScalars()
    {
        var block = Device.Allocate<double>(Shape.Block(5, 2));
        var column = block.Column(1);
        block.Dispose();
        Assert.True(column.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => block.ToArray());
        Assert.Throws<ObjectDisposedException>(() => column.ToArray());
        Assert.Throws<ObjectDisposedException>(() => Device.Fill(column, 1));
        block.Dispose(); // idempotent

        var vector = Device.Allocate(5);
        var other = Device.Allocate(5);
        vector.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Device.Dot(vector, other));
        Assert.Throws<ObjectDisposedException>(() => Device.Axpy(1, other, vector));

        var matrix = Device.Upload(RandomSystems.Spd(5, seed: 1));
        matrix.Dispose();
        Assert.Throws<ObjectDisposedException>(() => matrix.Apply(other, Device.Allocate(5)));

        var scalars = Device.AllocateScalars(2);
        scalars.Dispose();
        Assert.Throws<ObjectDisposedException>(() => scalars.CopyTo(new double[2]));

        var floats = Device.Allocate<float>(Shape.Vector(3));
        floats.Dispose();
        Assert.Throws<ObjectDisposedException>(() => Kernels.Fill(floats, 1));
    }

    [Fact]
    public void DisposingAView_LeavesItsBufferUsable()
    {
        using var block = Device.Upload<double>([1, 2, 3, 4], Shape.Block(2, 2));
        var column = block.Column(0);
        column.Dispose();
        Assert.Throws<ObjectDisposedException>(() => column.ToArray());
        Assert.Equal([1.0, 2, 3, 4], block.ToArray());
    }

    [Fact]
    public void KernelsRefuseBuffersOfAnotherDevice()
    {
        var other = Device is CpuDevice ? (Device)DeviceTargets.IlgpuCpu : LearnedSolvers.Devices.Device.Cpu;
        using var here = Device.Allocate<float>(Shape.Vector(3));
        using var there = other.Allocate<double>(Shape.Vector(3));
        Assert.Throws<DeviceMismatchException>(() => Kernels.Convert(here, there));
    }
}

public sealed class CpuDeviceBufferTests : DeviceBufferTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;
}

public sealed class IlgpuCpuDeviceBufferTests : DeviceBufferTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;

    [Fact]
    public void MemoryReturnsToItsStartingLevel_After100AllocateDisposeRounds()
    {
        var device = IlgpuDevice.CreateCpu(shared: false);
        try
        {
            long before = device.LiveBytes();
            for (int round = 0; round < 100; round++)
            {
                using var block = device.Allocate<double>(Shape.Block(1000, 4));
                using var floats = device.Allocate<float>(new Shape(2, 3, 40, 40));
                _ = block.Column(3);
                Assert.True(device.LiveBytes() >= before + 8 * 4000 + 4 * 9600);
            }
            Assert.Equal(before, device.LiveBytes());
        }
        finally
        {
            device.Dispose();
        }
    }
}

[Trait("Category", "Gpu")]
public sealed class CudaDeviceBufferTests : DeviceBufferTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
