using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// Flexible CG with its scalars on the device, on every device: it must stop where the host-synchronized
/// <see cref="FlexibleConjugateGradient"/> stops (fixed and variable preconditioners), whatever the read-back interval,
/// with a true residual recomputed on the host that meets the tolerance.
/// </summary>
public abstract class FlexibleConjugateGradientDeviceScalarTests
{
    protected abstract Device Device { get; }

    /// <summary>Matrix size: the ILGPU CPU accelerator is slow.</summary>
    protected virtual int Size => 300;

    public enum Precond { None, Jacobi, VariableSweeps }

    private static IPreconditioner? Create(Precond kind, CsrMatrix a, Device device) => kind switch
    {
        Precond.Jacobi => new Jacobi(a, device),
        Precond.VariableSweeps => new VariableJacobiSweeps(a, device: device),
        _ => null,
    };

    private static (SolveResult Result, double[] X) Solve(Device device, CsrMatrix a, double[] b, Precond kind, int? checkEvery, SolverOptions? options = null)
    {
        var matrix = device.Upload(a);
        var x = device.Allocate(a.Rows);
        KrylovSolver solver = checkEvery is { } k
            ? new FlexibleConjugateGradient(matrix, Create(kind, a, device), options, ScalarPlacement.Device, k)
            : new FlexibleConjugateGradient(matrix, Create(kind, a, device), options);
        var result = solver.Solve(device.Upload(b), x);
        return (result, x.ToArray());
    }

    [Theory]
    [InlineData(Precond.None, 1)]
    [InlineData(Precond.None, 7)]
    [InlineData(Precond.Jacobi, 10)]
    [InlineData(Precond.VariableSweeps, 1)]
    [InlineData(Precond.VariableSweeps, 9)]
    public void StopsAtTheSameIterationAsHostFcg_WithATrueResidualBelowTolerance(Precond kind, int checkEvery)
    {
        var s = SolvedSystems.Spd(Size, 41);
        var reference = Solve(LearnedSolvers.Devices.Device.Cpu, s.A, s.B, kind, checkEvery: null);
        var (result, x) = Solve(Device, s.A, s.B, kind, checkEvery);
        Assert.True(reference.Result.Converged, reference.Result.ToString());
        Assert.True(result.Converged, result.ToString());
        Assert.InRange(result.Iterations, reference.Result.Iterations - 1, reference.Result.Iterations + 1);
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        double trueResidual = Reference.TrueRelativeResidual(s.A, x, s.B);
        Assert.True(trueResidual <= 1e-8, $"true residual {trueResidual:E3}");
        Assert.Equal(trueResidual, result.RelativeResidual, 1e-3 * 1e-8);
        Assert.True(Reference.RelativeMaxError(x, s.Solution) < 1e-6);
    }

    [Fact]
    public void NegativeScaling_StopsAsIndefinitePreconditioner()
    {
        var a = RandomSystems.Spd(Size, 43);
        var negated = a.WithValues(a.Values.Select(v => -v).ToArray());
        var x = Device.Allocate(Size);
        var result = new FlexibleConjugateGradient(Device.Upload(a), new Jacobi(negated, Device), scalars: ScalarPlacement.Device, checkEvery: 4)
            .Solve(Device.Upload(RandomSystems.Vector(Size, 44)), x);
        Assert.Equal(StopReason.IndefinitePreconditioner, result.Reason);
        Assert.Equal(Reference.TrueRelativeResidual(a, x.ToArray(), RandomSystems.Vector(Size, 44)), result.RelativeResidual, 1e-12);
    }
}

public sealed class CpuFlexibleConjugateGradientDeviceScalarTests : FlexibleConjugateGradientDeviceScalarTests
{
    protected override Device Device => LearnedSolvers.Devices.Device.Cpu;

    protected override int Size => 1000;
}

public sealed class IlgpuCpuFlexibleConjugateGradientDeviceScalarTests : FlexibleConjugateGradientDeviceScalarTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaFlexibleConjugateGradientDeviceScalarTests : FlexibleConjugateGradientDeviceScalarTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;

    protected override int Size => 2000;
}
