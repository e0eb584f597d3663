using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>
/// IC(0), ILU(0) and SSOR applied on a device: the application is the two triangular solves of their factor, and
/// preconditioned CG and GMRES take the CPU's iteration counts. Written once; subclasses pick the device.
/// </summary>
public abstract class TriangularFactorDeviceTests
{
    protected abstract Device Device { get; }

    /// <summary>Relative tolerance against host substitution with the factor (0: the same bits).</summary>
    protected abstract double Tolerance { get; }

    public static TheoryData<string> Kinds => ["ic0", "ilu0", "ssor"];

    private static IPreconditioner Build(string kind, CsrMatrix a, Device device) => kind switch
    {
        "ic0" => new IncompleteCholesky0(a, device: device),
        "ilu0" => new IncompleteLu0(a, device),
        "ssor" => new Ssor(a, 1.3, device),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown kind."),
    };

    private static TriangularFactor FactorOf(IPreconditioner m) => m switch
    {
        IncompleteCholesky0 ic => ic.Factor,
        IncompleteLu0 ilu => ilu.Factor,
        Ssor ssor => ssor.Factor,
        _ => throw new ArgumentOutOfRangeException(nameof(m), m, "Not a factored preconditioner."),
    };

    private static CsrMatrix MatrixFor(string kind, int n, int seed) =>
        kind == "ilu0" ? RandomSystems.Nonsymmetric(n, seed) : RandomSystems.Spd(n, seed);

    private double[] ApplyOnDevice(IPreconditioner m, double[] r)
    {
        var z = Device.Allocate(r.Length);
        m.Apply(Device.Upload(r), z);
        return z.ToArray();
    }

    [Theory, MemberData(nameof(Kinds))]
    public void Apply_IsTheTwoTriangularSolvesOfTheFactor(string kind)
    {
        var a = MatrixFor(kind, 597, 41);
        var r = RandomSystems.Vector(597, 42);
        var m = Build(kind, a, Device);
        Assert.Same(Device, m.Device);
        var factor = FactorOf(m);
        var expected = RandomTriangular.Solve(factor.Upper, RandomTriangular.Solve(factor.Lower, r));
        var z = ApplyOnDevice(m, r);
        if (Tolerance == 0) Assert.Equal(expected, z);
        else Assert.True(Reference.RelativeMaxError(z, expected) <= Tolerance, $"relative error {Reference.RelativeMaxError(z, expected):G3}");
        // The same preconditioner built on the CPU device gives the same values.
        var onCpu = PreconditionerChecks.Apply(Build(kind, a, Device.Cpu), r);
        Assert.True(Reference.RelativeMaxError(z, onCpu) <= Math.Max(Tolerance, 1e-15));
    }

    [Theory]
    [InlineData("ic0")]
    [InlineData("ssor")]
    public void PreconditionedCg_TakesTheCpusIterations(string kind)
    {
        var s = Poisson.TwoD(23);
        var x = Device.Allocate(s.Size);
        var result = new ConjugateGradient(Device.Upload(s.Matrix), Build(kind, s.Matrix, Device)).Solve(Device.Upload(s.RightHandSide), x);
        var cpu = Device.Cpu;
        var reference = new ConjugateGradient(cpu.Upload(s.Matrix), Build(kind, s.Matrix, cpu)).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.InRange(result.Iterations, reference.Iterations - 1, reference.Iterations + 1);
    }

    [Fact]
    public void Ilu0PreconditionedGmres_TakesTheCpusIterations()
    {
        var s = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 23, Peclet = 50, Seed = 3 });
        var x = Device.Allocate(s.Size);
        var result = new Gmres(Device.Upload(s.Matrix), new IncompleteLu0(s.Matrix, Device)).Solve(Device.Upload(s.RightHandSide), x);
        var cpu = Device.Cpu;
        var reference = new Gmres(cpu.Upload(s.Matrix), new IncompleteLu0(s.Matrix)).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.InRange(result.Iterations, reference.Iterations - 1, reference.Iterations + 1);
    }

    [Theory]
    [InlineData("ic0")]
    [InlineData("ilu0")]
    public void UpdateValues_GivesWhatAFreshBuildGives(string kind)
    {
        var a = MatrixFor(kind, 301, 43);
        var a2 = a.WithValues(a.Values.Select((v, k) => v * (1 + 0.1 * Math.Sin(k))).ToArray());
        if (kind == "ic0") a2 = a2.WithValues(a2.Values.Select((v, k) => 0.5 * (v + a2[a.ColumnIndices[k], a.RowOf(k)])).ToArray());
        var refreshed = (IRefreshablePreconditioner)Build(kind, a, Device);
        var levels = FactorOf(refreshed).Lower.Levels;
        refreshed.UpdateValues(a2);
        Assert.Same(levels, FactorOf(refreshed).Lower.Levels);
        var r = RandomSystems.Vector(301, 44);
        Assert.Equal(ApplyOnDevice(Build(kind, a2, Device), r), ApplyOnDevice(refreshed, r));
    }

    [Theory, MemberData(nameof(Kinds))]
    public void WarmApply_AllocatesNothing(string kind)
    {
        Assert.SkipWhen(Device.Name == "ilgpu-cpu", "ILGPU's CPU accelerator allocates a task object per launch (see CudaAllocationTests).");
        var m = Build(kind, MatrixFor(kind, 597, 45), Device);
        var r = Device.Upload(RandomSystems.Vector(597, 46));
        var z = Device.Allocate(597);
        m.Apply(r, z);
        var (_, bytes) = Allocations.Least(() =>
        {
            m.Apply(r, z);
            return 0;
        });
        Assert.Equal(0, bytes);
    }

    [Theory]
    [InlineData("ic0")]
    [InlineData("ilu0")]
    public void SinglePrecision_AppliesTheFactorRoundedToFloat(string kind)
    {
        var a = MatrixFor(kind, 597, 50);
        var r = RandomSystems.Vector(597, 51);
        using var single = kind == "ic0"
            ? (IDisposable)new IncompleteCholesky0(a, device: Device, precision: Precision.Single)
            : new IncompleteLu0(a, Device, Precision.Single);
        var m = (IPreconditioner)single;
        var factor = FactorOf(m);
        var expected = RandomTriangular.Solve(factor.Upper, RandomTriangular.Solve(factor.Lower, r));
        double error = Reference.RelativeMaxError(ApplyOnDevice(m, r), expected);
        // Float rounding, not double: the application is really in single precision, and close to the double one.
        Assert.InRange(error, 1e-10, 1e-5);
    }

    [Theory]
    [InlineData("ssor")]
    [InlineData("ilut")]
    [InlineData("ilutp")]
    [InlineData("ict")]
    public void EveryFactorPreconditioner_TakesThePrecisionSetting(string name)
    {
        var a = name is "ssor" or "ict" ? RandomSystems.Spd(401, 52) : RandomSystems.Nonsymmetric(401, 52);
        var matrix = Device.Upload(a);
        var r = RandomSystems.Vector(401, 53);
        var single = PreconditionerRegistry.Get(name, new Dictionary<string, string> { ["precision"] = "single" }).Create(matrix)!;
        var dbl = PreconditionerRegistry.Get(name).Create(matrix)!;
        double error = Reference.RelativeMaxError(ApplyOnDevice(single, r), ApplyOnDevice(dbl, r));
        Assert.InRange(error, 1e-10, 1e-5);
        (single as IDisposable)?.Dispose();
        (dbl as IDisposable)?.Dispose();
    }

    [Fact]
    public void SinglePrecisionIc0_InADoubleCg_ReachesTheDoubleTolerance_InTheDoubleIterations()
    {
        var s = Poisson.TwoD(47);
        var options = new SolverOptions(RelativeTolerance: 1e-8);
        var a = Device.Upload(s.Matrix);
        var x = Device.Allocate(s.Size);
        var factory = new LearnedSolvers.Preconditioners.Factories.IncompleteCholesky0Factory(new() { Precision = Precision.Single });
        using var m = factory.Create(a);
        Assert.Equal(Precision.Single, m.Precision);
        var result = new ConjugateGradient(a, m, options).Solve(Device.Upload(s.RightHandSide), x);
        var reference = new ConjugateGradient(a, new IncompleteCholesky0(s.Matrix, device: Device), options).Solve(Device.Upload(s.RightHandSide), Device.Allocate(s.Size));
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.InRange(result.Iterations, reference.Iterations * 0.95, reference.Iterations * 1.05 + 1);
    }

    [Fact]
    public void SinglePrecisionIlu0_InADoubleFgmres_ReachesTheDoubleTolerance_InTheDoubleIterations()
    {
        var s = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 31, Peclet = 50, Seed = 4 });
        var options = new SolverOptions(RelativeTolerance: 1e-8);
        var a = Device.Upload(s.Matrix);
        var x = Device.Allocate(s.Size);
        using var m = new LearnedSolvers.Preconditioners.Factories.IncompleteLu0Factory(Precision.Single).Create(a);
        // Flexible GMRES keeps M⁻¹v_j: rounding to float makes M a little nonlinear, which plain GMRES's final
        // x = x₀ + M⁻¹(V y) does not allow for (27 iterations here against 21).
        var result = new FlexibleGmres(a, m, options).Solve(Device.Upload(s.RightHandSide), x);
        var reference = new Gmres(a, new IncompleteLu0(s.Matrix, Device), options).Solve(Device.Upload(s.RightHandSide), Device.Allocate(s.Size));
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.InRange(result.Iterations, reference.Iterations * 0.95, reference.Iterations * 1.05 + 1);
    }

    [Fact]
    public void GrowingShift_RunsOnTheDevice()
    {
        var ic = IncompleteCholesky0.WithGrowingShift(IncompleteCholesky0Tests.Kershaw(), Device);
        Assert.Same(Device, ic.Device);
        var r = RandomSystems.Vector(4, 47);
        var expected = PreconditionerChecks.Apply(new IncompleteCholesky0(IncompleteCholesky0Tests.Kershaw(), ic.DiagonalShift), r);
        Assert.True(Reference.RelativeMaxError(ApplyOnDevice(ic, r), expected) <= Math.Max(Tolerance, 1e-15));
    }
}

public sealed class CpuTriangularFactorDeviceTests : TriangularFactorDeviceTests
{
    protected override Device Device => Device.Cpu;
    protected override double Tolerance => 0;

    [Theory]
    [InlineData("ic0")]
    [InlineData("ilu0")]
    public void UpdateValues_AllocatesNothing(string kind)
    {
        var a = kind == "ic0" ? Poisson.TwoD(20).Matrix : RandomSystems.Nonsymmetric(301, 48);
        var m = kind == "ic0" ? (IRefreshablePreconditioner)new IncompleteCholesky0(a) : new IncompleteLu0(a);
        var (_, bytes) = Allocations.Least(() =>
        {
            m.UpdateValues(a);
            return 0;
        });
        Assert.Equal(0, bytes);
    }
}

public sealed class IlgpuCpuTriangularFactorDeviceTests : TriangularFactorDeviceTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
    protected override double Tolerance => 1e-12;

    [Fact]
    public void UpdateValues_TakesNoNewDeviceMemory_AndDisposeFreesTheFactor()
    {
        // A device of its own: tests running in parallel on the shared one would move its byte count.
        using var device = IlgpuDevice.CreateCpu(shared: false);
        var a = RandomSystems.Nonsymmetric(301, 49);
        var a2 = a.WithValues(a.Values.Select((v, k) => v * (1 + 0.1 * Math.Cos(k))).ToArray());
        device.Kernels(ITriangularSolveKernels.Family);
        long before = device.LiveBytes();
        var ilu = new IncompleteLu0(a, device);
        long built = device.LiveBytes();
        Assert.True(built > before);
        ilu.UpdateValues(a2);
        Assert.Equal(built, device.LiveBytes());
        ilu.Dispose();
        Assert.Equal(before, device.LiveBytes());
    }
}

[Trait("Category", "Gpu")]
public sealed class CudaTriangularFactorDeviceTests : TriangularFactorDeviceTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
    protected override double Tolerance => 1e-12;
}
