using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>
/// FSAI and any <see cref="SparseInverseFactor"/> applied on a device: Gᵀ G x by two SpMVs equals the host product and
/// the CPU device's, new values of G reach the device, and PCG takes the CPU's iterations. Written once; subclasses pick the device.
/// </summary>
public abstract class SparseInverseFactorDeviceTests
{
    protected abstract Device Device { get; }

    private double[] ApplyOnDevice(IPreconditioner m, double[] r)
    {
        using var x = Device.Upload(r);
        using var z = Device.Allocate(r.Length);
        m.Apply(x, z);
        return z.ToArray();
    }

    [Theory]
    [InlineData(597, 1)]
    [InlineData(597, 2)]
    [InlineData(131, 3)]
    public void Apply_IsGTransposedG_AsOnTheCpuDevice(int n, int power)
    {
        var a = RandomSystems.Spd(n, 50 + power);
        var r = RandomSystems.Vector(n, 60 + power);
        using var m = new FactorizedSparseInverse(a, power, Device);
        Assert.Same(Device, m.Device);
        var z = ApplyOnDevice(m, r);
        Assert.True(Reference.RelativeMaxError(z, m.Factor.Multiply(r)) <= 1e-12, $"relative error {Reference.RelativeMaxError(z, m.Factor.Multiply(r)):G3}");
        using var onCpu = new FactorizedSparseInverse(a, power);
        Assert.True(Reference.RelativeMaxError(z, PreconditionerChecks.Apply(onCpu, r)) <= 1e-12);
        // In place: y may be x.
        using var xy = Device.Upload(r);
        m.Apply(xy, xy);
        Assert.True(Reference.RelativeMaxError(xy.ToArray(), z) <= 1e-15);
    }

    [Fact]
    public void UpdateValues_OfALearnedFactor_GivesTheNewProduct()
    {
        var a = Poisson.TwoD(17).Matrix;
        var factor = FactorizedSparseInverse.Compute(a, 2);
        using var m = new SparseInverseFactorPreconditioner(factor, Device);
        var r = RandomSystems.Vector(a.Rows, 70);
        var before = ApplyOnDevice(m, r);
        var g = factor.G.Values;
        for (int k = 0; k < factor.G.NonZeros; k++) g[k] *= 1 + 0.1 * Math.Sin(k);
        m.UpdateValues();
        var after = ApplyOnDevice(m, r);
        Assert.True(Reference.RelativeMaxError(after, factor.Multiply(r)) <= 1e-12);
        Assert.True(Reference.RelativeMaxError(after, before) > 1e-3, "the new values must change the product");
        Assert.Equal(factor.G.Transpose().Values, m.TransposedG.Values);
    }

    [Fact]
    public void Refresh_ForNewMatrixValues_MatchesAFreshBuild()
    {
        var a = Diffusion.Generate(new DiffusionOptions { GridSize = 19, TargetContrast = 100, Seed = 1 }).Matrix;
        var a2 = Diffusion.Generate(new DiffusionOptions { GridSize = 19, TargetContrast = 100, Seed = 2 }).Matrix;
        using var m = new FactorizedSparseInverse(a, 1, Device);
        m.UpdateValues(a2);
        using var fresh = new FactorizedSparseInverse(a2, 1, Device);
        var r = RandomSystems.Vector(a.Rows, 71);
        Assert.Equal(ApplyOnDevice(fresh, r), ApplyOnDevice(m, r));
    }

    [Fact]
    public void UpdateValues_RefusesANonPositiveDiagonal()
    {
        var factor = FactorizedSparseInverse.Compute(Poisson.TwoD(6).Matrix);
        using var m = new SparseInverseFactorPreconditioner(factor, Device);
        factor.G.Values[factor.G.RowPointers[4] - 1] = -1; // row 3's diagonal
        Assert.Equal(3, Assert.Throws<ZeroPivotException>(m.UpdateValues).Row);
    }

    [Fact]
    public void PreconditionedCg_TakesTheCpusIterations()
    {
        var s = Poisson.TwoD(23);
        using var a = Device.Upload(s.Matrix);
        using var m = new FactorizedSparseInverse(s.Matrix, 2, Device);
        var x = Device.Allocate(s.Size);
        var result = new ConjugateGradient(a, m).Solve(Device.Upload(s.RightHandSide), x);
        var cpu = Device.Cpu;
        using var reference = new FactorizedSparseInverse(s.Matrix, 2);
        var expected = new ConjugateGradient(cpu.Upload(s.Matrix), reference).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.InRange(result.Iterations, expected.Iterations - 1, expected.Iterations + 1);
    }

    [Fact]
    public void WarmApply_AllocatesNothing()
    {
        Assert.SkipWhen(Device.Name == "ilgpu-cpu", "ILGPU's CPU accelerator allocates a task object per launch (see CudaAllocationTests).");
        var a = RandomSystems.Spd(597, 72);
        using var m = new FactorizedSparseInverse(a, 2, Device);
        var r = Device.Upload(RandomSystems.Vector(597, 73));
        var z = Device.Allocate(597);
        m.Apply(r, z);
        var (_, bytes) = Allocations.Least(() =>
        {
            m.Apply(r, z);
            return 0;
        });
        Assert.Equal(0, bytes);
    }
}

public sealed class CpuSparseInverseFactorDeviceTests : SparseInverseFactorDeviceTests
{
    protected override Device Device => Device.Cpu;
}

public sealed class IlgpuCpuSparseInverseFactorDeviceTests : SparseInverseFactorDeviceTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;

    [Fact]
    public void UpdateValues_TakesNoNewDeviceMemory_AndDisposeFreesGAndItsTranspose()
    {
        // A device of its own: tests running in parallel on the shared one would move its byte count.
        using var device = IlgpuDevice.CreateCpu(shared: false);
        var a = RandomSystems.Spd(301, 74);
        var a2 = a.WithValues(a.Values.Select((v, k) => v * (1 + 0.1 * Math.Cos(a.RowOf(k) + a.ColumnIndices[k]))).ToArray());
        long before = device.LiveBytes();
        var m = new FactorizedSparseInverse(a, 2, device);
        long built = device.LiveBytes();
        Assert.True(built > before);
        m.UpdateValues(a2);
        Assert.Equal(built, device.LiveBytes());
        m.Dispose();
        Assert.Equal(before, device.LiveBytes());
    }

    [Fact]
    public void SlicedEllUpload_TakesNewValues()
    {
        var a = Poisson.TwoD(11).Matrix;
        var copy = a.WithValues((double[])a.Values.Clone());
        using var uploaded = DeviceTargets.IlgpuCpu.UploadSlicedEll(copy);
        var x = RandomSystems.Vector(a.Rows, 75);
        for (int k = 0; k < copy.NonZeros; k++) copy.Values[k] *= 2;
        uploaded.UpdateValues();
        using var xd = DeviceTargets.IlgpuCpu.Upload(x);
        using var y = DeviceTargets.IlgpuCpu.Allocate(a.Rows);
        uploaded.Apply(xd, y);
        Assert.True(Reference.RelativeMaxError(y.ToArray(), Reference.Multiply(copy, x)) <= 1e-14);
    }
}

[Trait("Category", "Gpu")]
public sealed class CudaSparseInverseFactorDeviceTests : SparseInverseFactorDeviceTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
