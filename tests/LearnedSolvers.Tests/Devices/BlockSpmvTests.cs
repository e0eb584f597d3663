using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>Y = A X for a block of columns equals k single SpMVs, on every device; bad blocks get clear errors.</summary>
public abstract class BlockSpmvTests
{
    protected abstract Device Device { get; }

    [Theory]
    [InlineData(597, 1)]
    [InlineData(597, 3)]
    [InlineData(1000, 8)]
    [InlineData(7, 5)]
    public void BlockProduct_EqualsSingleProducts(int n, int k)
    {
        var a = RandomSystems.Nonsymmetric(n, seed: n + k);
        using var matrix = Device.Upload(a);
        var values = RandomSystems.Vector(n * k, seed: k);
        using var x = Device.Upload<double>(values, Shape.Block(n, k));
        using var y = Device.Allocate<double>(Shape.Block(n, k));
        matrix.Apply(x, y);
        using var single = Device.Allocate(n);
        for (int j = 0; j < k; j++)
        {
            matrix.Apply(x.Column(j), single);
            var expected = single.ToArray();
            var actual = y.Column(j).ToArray();
            for (int i = 0; i < n; i++) Assert.Equal(expected[i], actual[i], 1e-13 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    [Theory]
    [InlineData(1024, 8)]
    [InlineData(601, 5)]
    public void PaddedBlocks_GiveTheContiguousBlocksProducts_AndLeaveThePaddingAlone(int n, int k)
    {
        var a = RandomSystems.Nonsymmetric(n, seed: 2 * n + k);
        using var matrix = Device.Upload(a);
        var shape = Shape.PaddedBlock(n, k);
        Assert.True(shape[1] >= n && shape[1] % 8 == 0 && shape[1] % 512 != 0, shape.ToString());
        var values = RandomSystems.Vector(n * k, seed: k);
        using var x = Device.Upload<double>(values, Shape.Block(n, k));
        using var y = Device.Allocate<double>(Shape.Block(n, k));
        using var px = Device.Allocate<double>(shape);
        using var py = Device.Upload<double>(Enumerable.Repeat(-7.0, shape.Length).ToArray(), shape);
        for (int j = 0; j < k; j++) Device.Copy(x.Column(j), px.Column(j, n));
        var dots = new double[k];
        var paddedDots = new double[k];
        matrix.ApplyAndDot(x, y, dots);
        matrix.ApplyAndDot(px, py, paddedDots);
        Assert.Equal(dots, paddedDots);
        var all = py.ToArray();
        for (int j = 0; j < k; j++)
        {
            Assert.Equal(y.Column(j).ToArray(), py.Column(j, n).ToArray());
            for (int i = n; i < shape[1]; i++) Assert.Equal(-7.0, all[j * shape[1] + i]);
        }
        // Mixed: a contiguous x into a padded y.
        matrix.Apply(x, py);
        for (int j = 0; j < k; j++) Assert.Equal(y.Column(j).ToArray(), py.Column(j, n).ToArray());
    }

    [Fact]
    public void RectangularMatrix_TakesColumnsOfItsOwnSizes()
    {
        var a = CsrMatrix.FromTriplets(2, 3, [0, 0, 1], [0, 2, 1], [1.0, 2.0, 3.0]);
        using var matrix = Device.Upload(a);
        using var x = Device.Upload<double>([1, 2, 3, 4, 5, 6], Shape.Block(3, 2));
        using var y = Device.Allocate<double>(Shape.Block(2, 2));
        matrix.Apply(x, y);
        Assert.Equal([7.0, 6, 16, 15], y.ToArray());
    }

    [Fact]
    public void BadBlocks_GetClearErrors()
    {
        using var matrix = Device.Upload(RandomSystems.Spd(10, seed: 1));
        using var x = Device.Allocate<double>(Shape.Block(10, 2));
        using var wrongRows = Device.Allocate<double>(Shape.Block(9, 2));
        using var wrongCount = Device.Allocate<double>(Shape.Block(10, 3));
        Assert.Contains("[2, 10]", Assert.Throws<ArgumentException>(() => matrix.Apply(x, wrongRows)).Message);
        Assert.Throws<ArgumentException>(() => matrix.Apply(x, wrongCount));
        Assert.Throws<ArgumentException>(() => matrix.Apply(x, x));
    }
}

public sealed class CpuBlockSpmvTests : BlockSpmvTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;

    [Theory]
    [InlineData(130, 7)] // several row blocks; columns four, two and one at a time
    [InlineData(32, 5)]  // 1024 rows: columns 8 KiB apart, taken two at a time
    public void EveryColumn_EqualsItsOwnSpmv_BitForBit(int grid, int k)
    {
        var a = LearnedSolvers.Problems.Poisson.TwoD(grid).Matrix;
        using var matrix = Device.Upload(a);
        int n = a.Rows;
        using var x = Device.Upload<double>(RandomSystems.Vector(n * k, seed: 3), Shape.Block(n, k));
        using var y = Device.Allocate<double>(Shape.Block(n, k));
        matrix.Apply(x, y);
        using var single = Device.Allocate(n);
        for (int j = 0; j < k; j++)
        {
            matrix.Apply(x.Column(j), single);
            Assert.Equal(single.ToArray(), y.Column(j).ToArray());
        }
    }
}

public sealed class IlgpuCpuBlockSpmvTests : BlockSpmvTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaBlockSpmvTests : BlockSpmvTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
