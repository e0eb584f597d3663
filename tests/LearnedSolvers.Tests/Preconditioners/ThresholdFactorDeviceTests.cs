using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>
/// ILUT, ILUTP and ICT applied on a device: the application is the two triangular solves of their factor (then Q for
/// ILUTP), as host substitution computes it, and ILUTP-preconditioned GMRES takes the CPU's iterations. Written once;
/// subclasses pick the device.
/// </summary>
public abstract class ThresholdFactorDeviceTests
{
    protected abstract Device Device { get; }

    /// <summary>Relative tolerance against host substitution with the factor (0: the same bits).</summary>
    protected abstract double Tolerance { get; }

    public static TheoryData<string> Kinds => ["ilut", "ilutp", "ict"];

    private static IPreconditioner Build(string kind, CsrMatrix a, Device device) => kind switch
    {
        "ilut" => new IncompleteLuThreshold(a, 1e-2, 5, device),
        "ilutp" => new IncompleteLuThresholdPivoting(a, 1e-2, 5, 1, device),
        "ict" => new IncompleteCholeskyThreshold(a, 1e-2, 5, device: device),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind."),
    };

    /// <summary>SPD for ICT; for ILUT(P) a nonsymmetric matrix whose diagonal is weak, so that ILUTP exchanges columns.</summary>
    private static CsrMatrix MatrixFor(string kind, int n, int seed) =>
        kind == "ict" ? RandomSystems.Spd(n, seed) : RandomSystems.Nonsymmetric(n, seed, perRow: 6, dominance: 0.3);

    /// <summary>M⁻¹ r by host substitution with the product's factor (and Q for ILUTP).</summary>
    private static double[] OnHost(IPreconditioner m, double[] r)
    {
        var factor = m switch
        {
            IncompleteLuThreshold ilut => ilut.Factor,
            IncompleteLuThresholdPivoting ilutp => ilutp.Factor,
            IncompleteCholeskyThreshold ict => ict.Factor,
            _ => throw new ArgumentOutOfRangeException(nameof(m), m, "Not a threshold factor."),
        };
        var solved = RandomTriangular.Solve(factor.Upper, RandomTriangular.Solve(factor.Lower, r));
        if (m is not IncompleteLuThresholdPivoting pivoting) return solved;
        var permuted = new double[solved.Length];
        for (int k = 0; k < solved.Length; k++) permuted[pivoting.ColumnOrder[k]] = solved[k];
        return permuted;
    }

    private double[] ApplyOnDevice(IPreconditioner m, double[] r)
    {
        using var x = Device.Upload(r);
        using var z = Device.Allocate(r.Length);
        m.Apply(x, z);
        return z.ToArray();
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Apply_IsTheFactorsSolves_AsOnTheHost(string kind)
    {
        var a = MatrixFor(kind, 597, 51);
        var r = RandomSystems.Vector(597, 52);
        var m = Build(kind, a, Device);
        Assert.Same(Device, m.Device);
        if (m is IncompleteLuThresholdPivoting pivoting) Assert.True(pivoting.ColumnExchanges > 0);
        var expected = OnHost(m, r);
        var z = ApplyOnDevice(m, r);
        if (Tolerance == 0) Assert.Equal(expected, z);
        else Assert.True(Reference.RelativeMaxError(z, expected) <= Tolerance, $"relative error {Reference.RelativeMaxError(z, expected):G3}");
        var onCpu = PreconditionerChecks.Apply(Build(kind, a, Device.Cpu), r);
        Assert.True(Reference.RelativeMaxError(z, onCpu) <= Math.Max(Tolerance, 1e-15));
        (m as IDisposable)?.Dispose();
    }

    [Fact]
    public void IlutpPreconditionedGmres_TakesTheCpusIterations()
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("impcol_a"));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray());
        var x = Device.Allocate(a.Rows);
        using var m = new IncompleteLuThresholdPivoting(a, device: Device);
        var result = new Gmres(Device.Upload(a), m).Solve(Device.Upload(b), x);
        var cpu = Device.Cpu;
        var reference = new Gmres(cpu.Upload(a), new IncompleteLuThresholdPivoting(a)).Solve(cpu.Upload(b), cpu.Allocate(a.Rows));
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-8);
        Assert.InRange(result.Iterations, reference.Iterations - 1, reference.Iterations + 1);
    }

    [Theory, MemberData(nameof(Kinds))]
    public void WarmApply_AllocatesNothing(string kind)
    {
        Assert.SkipWhen(Device.Name == "ilgpu-cpu", "ILGPU's CPU accelerator allocates a task object per launch (see CudaAllocationTests).");
        var m = Build(kind, MatrixFor(kind, 597, 53), Device);
        var r = Device.Upload(RandomSystems.Vector(597, 54));
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

public sealed class CpuThresholdFactorDeviceTests : ThresholdFactorDeviceTests
{
    protected override Device Device => Device.Cpu;
    protected override double Tolerance => 0;
}

public sealed class IlgpuCpuThresholdFactorDeviceTests : ThresholdFactorDeviceTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
    protected override double Tolerance => 1e-12;

    [Fact]
    public void IlutpDispose_FreesTheFactorThePermutationAndTheVector()
    {
        // A device of its own: tests running in parallel on the shared one would move its byte count.
        using var device = IlgpuDevice.CreateCpu(shared: false);
        device.Kernels(ITriangularSolveKernels.Family);
        using (var warm = new IncompleteLuThresholdPivoting(RandomSystems.Nonsymmetric(10, 55), device: device))
        {
        }
        long before = device.LiveBytes();
        var m = new IncompleteLuThresholdPivoting(RandomSystems.Nonsymmetric(301, 56, dominance: 0.3), device: device);
        Assert.True(device.LiveBytes() > before);
        m.Dispose();
        Assert.Equal(before, device.LiveBytes());
    }
}

[Trait("Category", "Gpu")]
public sealed class CudaThresholdFactorDeviceTests : ThresholdFactorDeviceTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
    protected override double Tolerance => 1e-12;
}
