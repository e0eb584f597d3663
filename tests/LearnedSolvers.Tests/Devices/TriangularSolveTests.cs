using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// The triangular-solve kernel family against substitution on the host, on random triangular matrices of odd sizes,
/// lower and upper, unit and stored diagonals. Written once; subclasses pick the device.
/// </summary>
public abstract class TriangularSolveTests
{
    protected abstract Device Device { get; }

    /// <summary>Relative tolerance against the host substitution (0: the same bits).</summary>
    protected abstract double Tolerance { get; }

    public static TheoryData<int, bool, bool> Cases()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (int n in new[] { 1, 7, 597 })
            foreach (bool lower in new[] { true, false })
                foreach (bool unit in new[] { true, false })
                    data.Add(n, lower, unit);
        return data;
    }

    private void AssertMatches(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        if (Tolerance == 0)
        {
            Assert.Equal(expected, actual);
            return;
        }
        Assert.True(Reference.RelativeMaxError(actual, expected) <= Tolerance, $"relative error {Reference.RelativeMaxError(actual, expected):G3}");
    }

    private DeviceTriangularMatrix Upload(TriangularMatrix t) => Device.Kernels(ITriangularSolveKernels.Family).Upload(t);

    [Theory, MemberData(nameof(Cases))]
    public void Solve_MatchesHostSubstitution(int n, bool lower, bool unit)
    {
        var t = RandomTriangular.Matrix(n, seed: 3 * n + (lower ? 1 : 0), lower, unit);
        var b = RandomSystems.Vector(n, n);
        using var dt = Upload(t);
        var x = Device.Allocate(n);
        dt.Solve(Device.Upload(b), x);
        var expected = RandomTriangular.Solve(t, b);
        AssertMatches(expected, x.ToArray());
        // The substitution itself is right: T x = b.
        var dense = RandomTriangular.ToDense(t);
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += dense[i, j] * expected[j];
            Assert.Equal(b[i], s, 1e-12);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Solve_InPlace_GivesTheSameResult(bool lower)
    {
        const int n = 301;
        var t = RandomTriangular.Matrix(n, 11, lower, unitDiagonal: false);
        var b = RandomSystems.Vector(n, 12);
        using var dt = Upload(t);
        var x = Device.Upload(b);
        dt.Solve(x, x);
        AssertMatches(RandomTriangular.Solve(t, b), x.ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void UpdateValues_TakesTheNewValues_AsAFreshUploadDoes(bool lower)
    {
        const int n = 203;
        var t = RandomTriangular.Matrix(n, 13, lower, unitDiagonal: false);
        var b = Device.Upload(RandomSystems.Vector(n, 14));
        using var dt = Upload(t);
        for (int k = 0; k < t.NonZeros; k++) t.Values[k] *= 1 + 0.25 * Math.Sin(k);
        dt.UpdateValues();
        using var fresh = Upload(t);
        var refreshed = Device.Allocate(n);
        var expected = Device.Allocate(n);
        dt.Solve(b, refreshed);
        fresh.Solve(b, expected);
        Assert.Equal(expected.ToArray(), refreshed.ToArray());
        AssertMatches(RandomTriangular.Solve(t, b.ToArray()), refreshed.ToArray());
    }

    [Fact]
    public void WideLevels_MatchHostSubstitution()
    {
        const int n = 20_001;
        foreach (bool lower in new[] { true, false })
        {
            var t = RandomTriangular.WideLevels(n, 15, lower, unitDiagonal: false, gap: 4000);
            var b = RandomSystems.Vector(n, 16);
            using var dt = Upload(t);
            var x = Device.Allocate(n);
            dt.Solve(Device.Upload(b), x);
            AssertMatches(RandomTriangular.Solve(t, b), x.ToArray());
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    public void SinglePrecision_SolvesFloatBuffers_ToFloatAccuracy(bool lower, bool unit)
    {
        const int n = 597;
        var t = RandomTriangular.Matrix(n, 60 + (lower ? 1 : 0), lower, unit);
        var b = RandomSystems.Vector(n, 62);
        using var dt = Device.Kernels(ITriangularSolveKernels.Family).Upload(t, Precision.Single);
        Assert.Equal(Precision.Single, dt.Precision);
        var bf = Device.Upload<float>(b.Select(v => (float)v).ToArray(), Shape.Vector(n));
        var xf = Device.Allocate<float>(Shape.Vector(n));
        dt.Solve(bf, xf);
        var x = new float[n];
        xf.CopyTo(x);
        double error = Reference.RelativeMaxError(x.Select(v => (double)v).ToArray(), RandomTriangular.Solve(t, b));
        Assert.InRange(error, 1e-12, 1e-5);
    }

    [Fact]
    public void APrecision_SolvesOnlyItsOwnVectors()
    {
        var t = RandomTriangular.Matrix(5, 63, isLower: true, unitDiagonal: false);
        var kernels = Device.Kernels(ITriangularSolveKernels.Family);
        using var single = kernels.Upload(t, Precision.Single);
        using var dbl = kernels.Upload(t);
        Assert.Throws<InvalidOperationException>(() => single.Solve(Device.Allocate(5), Device.Allocate(5)));
        Assert.Throws<InvalidOperationException>(() => dbl.Solve(Device.Allocate<float>(Shape.Vector(5)), Device.Allocate<float>(Shape.Vector(5))));
        Assert.Throws<ArgumentException>(() => single.Solve(Device.Allocate<float>(Shape.Vector(5)), Device.Allocate<float>(Shape.Vector(4))));
    }

    [Fact]
    public void VectorsOfTheWrongDeviceOrLength_AreRejected()
    {
        using var dt = Upload(RandomTriangular.Matrix(5, 17, isLower: true, unitDiagonal: false));
        var other = ReferenceEquals(Device, Device.Cpu) ? Device.IlgpuCpu() : Device.Cpu;
        Assert.Throws<DeviceMismatchException>(() => dt.Solve(other.Allocate(5), Device.Allocate(5)));
        Assert.Throws<ArgumentException>(() => dt.Solve(Device.Allocate(5), Device.Allocate(4)));
    }

    [Fact]
    public void WarmSolve_AllocatesNothing()
    {
        Assert.SkipWhen(Device.Name == "ilgpu-cpu", "ILGPU's CPU accelerator allocates a task object per launch (see CudaAllocationTests).");
        const int n = 597;
        var t = RandomTriangular.Matrix(n, 18, isLower: true, unitDiagonal: false);
        using var dt = Upload(t);
        var b = Device.Upload(RandomSystems.Vector(n, 19));
        var x = Device.Allocate(n);
        dt.Solve(b, x);
        var (_, bytes) = Allocations.Least(() =>
        {
            dt.Solve(b, x);
            return 0;
        });
        Assert.Equal(0, bytes);
    }
}

/// <summary>
/// The CPU device's two solve orders, forced: the level-parallel one and the row-order sweep give the same bits (in
/// single precision the sweep solves stencil blocks by a prefix scan, which agrees to rounding: <see cref="CpuScanSweepTests"/>).
/// </summary>
public class CpuTriangularSolveOrderTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(false, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public void LevelByLevel_AndRowOrder_GiveTheSameBitsAsHostSubstitution(bool lower, bool unit)
    {
        const int n = 20_001;
        var t = RandomTriangular.WideLevels(n, 21, lower, unit, gap: 4000);
        var b = Device.Cpu.Upload(RandomSystems.Vector(n, 22));
        var expected = RandomTriangular.Solve(t, b.ToArray());
        foreach (bool byLevel in new[] { true, false })
        {
            var dt = new CpuTriangularMatrix((CpuDevice)Device.Cpu, t, solveByLevel: byLevel);
            Assert.Equal(byLevel, dt.SolvesByLevel);
            var x = Device.Cpu.Allocate(n);
            dt.Solve(b, x);
            Assert.Equal(expected, x.ToArray());
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ValuesDecayingIntoSubnormals_AreFlushedToZero_InBothOrdersAlike(bool lower)
    {
        // One nonzero at the first row solved: IC(0)'s substitution decays away from it, to 5e-172 at 300² (600²: subnormals).
        var ic = new LearnedSolvers.Preconditioners.IncompleteCholesky0(LearnedSolvers.Problems.Poisson.TwoD(300).Matrix);
        var t = lower ? ic.Factor.Lower : ic.Factor.Upper;
        var b = new double[t.Size];
        b[lower ? 0 : t.Size - 1] = 1;
        var expected = RandomTriangular.Solve(t, b);
        Assert.Contains(expected, v => v == 0);
        Assert.DoesNotContain(expected, v => v != 0 && Math.Abs(v) < 1e-250);
        foreach (bool byLevel in new[] { true, false })
        {
            var dt = new CpuTriangularMatrix((CpuDevice)Device.Cpu, t, solveByLevel: byLevel);
            var x = Device.Cpu.Allocate(t.Size);
            dt.Solve(Device.Cpu.Upload(b), x);
            Assert.Equal(expected, x.ToArray());
        }
        var single = new CpuTriangularMatrix((CpuDevice)Device.Cpu, t, precision: Precision.Single);
        var xf = Device.Cpu.Allocate<float>(Shape.Vector(t.Size));
        single.Solve(Device.Cpu.Upload<float>(b.Select(v => (float)v).ToArray(), Shape.Vector(t.Size)), xf);
        Assert.DoesNotContain(xf.ToArray(), v => v != 0 && float.IsSubnormal(v));
    }

    [Fact]
    public void TheChoice_KeepsA2dStencilOnTheRowOrderSweep()
    {
        var ic = new LearnedSolvers.Preconditioners.IncompleteCholesky0(LearnedSolvers.Problems.Poisson.TwoD(100).Matrix);
        Assert.False(new CpuTriangularMatrix((CpuDevice)Device.Cpu, ic.Factor.Lower).SolvesByLevel);
        // Levels of about 4000 rows: level order pays off only with more threads than it costs per row.
        var wide = RandomTriangular.WideLevels(20_001, 23, isLower: true, unitDiagonal: false, gap: 4000);
        int threads = ((CpuDevice)Device.Cpu).Parallelism;
        bool choice = new CpuTriangularMatrix((CpuDevice)Device.Cpu, wide).SolvesByLevel;
        if (threads <= CpuTriangularMatrix.LevelOrderCost) Assert.False(choice);
        if (threads >= 4 * CpuTriangularMatrix.LevelOrderCost) Assert.True(choice);
    }
}

public sealed class CpuTriangularSolveTests : TriangularSolveTests
{
    protected override Device Device => Device.Cpu;

    // Each row sums in the same order as the host substitution, on the serial and the level-parallel path alike.
    protected override double Tolerance => 0;
}

public sealed class IlgpuCpuTriangularSolveTests : TriangularSolveTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
    protected override double Tolerance => 1e-12;
}

[Trait("Category", "Gpu")]
public sealed class CudaTriangularSolveTests : TriangularSolveTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
    protected override double Tolerance => 1e-12;
}

/// <summary>The single-precision sweep's prefix-scan blocks on stencil factors: agreement with row-by-row substitution, lower and upper, odd sizes; double keeps the row loop's bits.</summary>
public class CpuScanSweepTests
{
    [Theory]
    [InlineData(37, true)]   // 1,369 rows: blocks and a remainder
    [InlineData(37, false)]
    [InlineData(64, true)]
    [InlineData(64, false)]
    public void StencilFactor_ScanBlocks_MatchRowByRowSubstitution(int grid, bool lower)
    {
        var ic = new LearnedSolvers.Preconditioners.IncompleteCholesky0(LearnedSolvers.Problems.Poisson.TwoD(grid).Matrix);
        var t = lower ? ic.Factor.Lower : ic.Factor.Upper;
        var b = RandomSystems.Vector(t.Size, 3);
        var expected = RandomTriangular.Solve(t, b);
        double scale = expected.Max(Math.Abs);

        var dt = new CpuTriangularMatrix((CpuDevice)Device.Cpu, t, solveByLevel: false);
        var x = Device.Cpu.Allocate(t.Size);
        dt.Solve(Device.Cpu.Upload(b), x);
        Assert.Equal(expected, x.ToArray());

        var single = new CpuTriangularMatrix((CpuDevice)Device.Cpu, t, solveByLevel: false, precision: Precision.Single);
        var xf = Device.Cpu.Allocate<float>(Shape.Vector(t.Size));
        single.Solve(Device.Cpu.Upload<float>(b.Select(v => (float)v).ToArray(), Shape.Vector(t.Size)), xf);
        var widened = xf.ToArray().Select(v => (double)v).ToArray();
        Assert.True(Reference.RelativeMaxError(widened, expected) <= 1e-5, $"float: {Reference.RelativeMaxError(widened, expected):G3}");

        // In place (x = b) gives the same result.
        var inPlaceF = Device.Cpu.Upload<float>(b.Select(v => (float)v).ToArray(), Shape.Vector(t.Size));
        single.Solve(inPlaceF, inPlaceF);
        Assert.Equal(xf.ToArray(), inPlaceF.ToArray());
    }

    [Fact]
    public void ThreeDimensionalStencil_UsesTwoFarSlots_AndMatches()
    {
        var ic = new LearnedSolvers.Preconditioners.IncompleteCholesky0(LearnedSolvers.Problems.Poisson.ThreeD(13).Matrix);
        foreach (var t in new[] { ic.Factor.Lower, ic.Factor.Upper })
        {
            var b = RandomSystems.Vector(t.Size, 4);
            var expected = RandomTriangular.Solve(t, b);
            var single = new CpuTriangularMatrix((CpuDevice)Device.Cpu, t, solveByLevel: false, precision: Precision.Single);
            var xf = Device.Cpu.Allocate<float>(Shape.Vector(t.Size));
            single.Solve(Device.Cpu.Upload<float>(b.Select(v => (float)v).ToArray(), Shape.Vector(t.Size)), xf);
            Assert.True(Reference.RelativeMaxError(xf.ToArray().Select(v => (double)v).ToArray(), expected) <= 1e-5);
        }
    }

    [Fact]
    public void StencilFactors_QualifyForScanBlocks_InSinglePrecisionOnly()
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated) Assert.Skip("Scan blocks need 512-bit vectors.");
        var ic = new LearnedSolvers.Preconditioners.IncompleteCholesky0(LearnedSolvers.Problems.Poisson.TwoD(64).Matrix);
        Assert.True(new CpuSubstitutionRows<float>(ic.Factor.Lower).ScanBlockCount > 200);
        Assert.True(new CpuSubstitutionRows<float>(ic.Factor.Upper).ScanBlockCount > 200);
        Assert.Equal(0, new CpuSubstitutionRows<double>(ic.Factor.Lower).ScanBlockCount);
        // An irregular pattern: few or no blocks read consecutive solved rows.
        var random = RandomTriangular.WideLevels(20_001, 21, true, false, gap: 4000);
        Assert.True(new CpuSubstitutionRows<float>(random).ScanBlockCount < 20_001 / 16);
    }
}
