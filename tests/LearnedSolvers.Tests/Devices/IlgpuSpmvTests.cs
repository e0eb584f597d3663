using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>Each SpMV kernel of <see cref="IlgpuCsrMatrix"/>, forced, against the serial CSR product; and the automatic choice.</summary>
public abstract class IlgpuSpmvTests
{
    protected abstract IlgpuDevice Device { get; }

    /// <summary>1 (thread per row) and every sub-warp width the device's warp allows.</summary>
    private IEnumerable<int> LaneCounts()
    {
        for (int lanes = 1; lanes <= Device.WarpSize; lanes *= 2) yield return lanes;
    }

    /// <summary>Rows of 0 to 2·meanRow entries (empty rows included), random columns.</summary>
    private static CsrMatrix RaggedMatrix(int rows, int columns, int meanRow, int seed)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(rows, columns);
        for (int i = 0; i < rows; i++)
        {
            int count = rng.Next(2 * meanRow + 1);
            for (int k = 0; k < count; k++) b.Add(i, rng.Next(columns), rng.NextDouble() * 2 - 1);
        }
        return b.ToCsr();
    }

    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(7, 7, 3)]
    [InlineData(597, 43, 2)]
    [InlineData(1000, 1000, 40)]
    [InlineData(43, 597, 70)]
    public void EveryKernel_MatchesSerialProduct(int rows, int columns, int meanRow)
    {
        var a = RaggedMatrix(rows, columns, meanRow, seed: rows + columns);
        var x = RandomSystems.Vector(columns, 3);
        var expected = new double[rows];
        a.Multiply(x, expected);
        var dx = Device.Upload(x);
        var dy = Device.Allocate(rows);
        foreach (int lanes in LaneCounts())
        {
            using var m = Device.Upload(a, lanes);
            Assert.Equal(lanes, m.LanesPerRow);
            Device.Fill(dy, double.NaN);
            m.Apply(dx, dy);
            var y = dy.ToArray();
            for (int i = 0; i < rows; i++) Assert.True(Math.Abs(expected[i] - y[i]) <= 1e-13 * Math.Max(1, Math.Abs(expected[i])), $"lanes {lanes}, row {i}: {y[i]} vs {expected[i]}");
        }
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(7, 12)]
    [InlineData(597, 12)]
    [InlineData(300, 70)]
    public void FusedApplyAndDot_MatchesSerialReference_AndIsBitwiseReproducible_OnEveryKernel(int n, int perRow)
    {
        var a = RandomSystems.Spd(n, 5, perRow);
        var x = RandomSystems.Vector(n, 6);
        var expected = Reference.Multiply(a, x);
        double dot = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            dot += x[i] * expected[i];
            scale += Math.Abs(x[i] * expected[i]);
        }
        var dx = Device.Upload(x);
        var dy = Device.Allocate(n);
        foreach (int lanes in LaneCounts())
        {
            using var m = Device.Upload(a, lanes);
            Device.Fill(dy, double.NaN);
            double first = m.ApplyAndDot(dx, dy);
            var y = dy.ToArray();
            for (int i = 0; i < n; i++) Assert.True(Math.Abs(expected[i] - y[i]) <= 1e-13 * Math.Max(1, Math.Abs(expected[i])), $"lanes {lanes}, row {i}");
            Assert.True(Math.Abs(dot - first) <= 1e-13 * scale, $"lanes {lanes}: {first} vs {dot}");
            Assert.Equal(BitConverter.DoubleToInt64Bits(first), BitConverter.DoubleToInt64Bits(m.ApplyAndDot(dx, dy)));
        }
    }

    [Fact]
    public void Upload_PicksThreadPerRow_ForStencils_AndLanes_ForLongRows()
    {
        var stencil = LearnedSolvers.Problems.Poisson.TwoD(12);
        using (var m = Device.Upload(stencil.Matrix))
            Assert.Equal(1, ((IlgpuCsrMatrix)m).LanesPerRow);
        var dense = RaggedMatrix(50, 200, meanRow: 40, seed: 1);
        using (var m = Device.Upload(dense))
            Assert.Equal(Math.Min(Device.WarpSize, IlgpuCsrMatrix.ChooseLanesPerRow(dense, 32)), ((IlgpuCsrMatrix)m).LanesPerRow);
        Assert.Equal(32, IlgpuCsrMatrix.ChooseLanesPerRow(RaggedMatrix(20, 400, meanRow: 100, seed: 2), 32));
        Assert.Equal(8, IlgpuCsrMatrix.ChooseLanesPerRow(RaggedMatrix(400, 400, meanRow: 12, seed: 3), 32));
    }

    [Theory]
    [InlineData(3)]
    [InlineData(0)]
    [InlineData(1024)]
    public void Upload_RejectsLaneCountsThatAreNotPowersOfTwoWithinAWarp(int lanes)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Device.Upload(RandomSystems.Spd(5, 1), lanes));
    }

    [Fact]
    public void Dispose_IsIdempotent_AndApplyAfterwardThrows()
    {
        var m = Device.Upload(RandomSystems.Spd(5, 1));
        m.Dispose();
        m.Dispose();
        Assert.Throws<ObjectDisposedException>(() => m.Apply(Device.Allocate(5), Device.Allocate(5)));
    }
}

public sealed class IlgpuCpuSpmvTests : IlgpuSpmvTests
{
    protected override IlgpuDevice Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaSpmvTests : IlgpuSpmvTests
{
    protected override IlgpuDevice Device => DeviceTargets.CudaOrSkip;
}

public sealed class IlgpuCpuWarp32SpmvTests : IlgpuSpmvTests
{
    protected override IlgpuDevice Device => DeviceTargets.IlgpuCpuWarp32;
}
