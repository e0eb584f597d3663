using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// The unchanged Krylov solvers on another device: same iteration counts as on the CPU device (within one: reductions
/// round differently), and a true residual, recomputed on the host by a serial loop, that meets the tolerance.
/// Sizes stay in the hundreds: ILGPU's CPU accelerator is slow.
/// </summary>
public abstract class DeviceSolverTests
{
    private const double Tolerance = 1e-8;
    private static readonly SolverOptions Options = new(RelativeTolerance: Tolerance);

    protected abstract Device Device { get; }

    private SolveResult Solve(Device device, CsrMatrix a, double[] b, Func<DeviceCsrMatrix, IPreconditioner?, KrylovSolver> create, bool jacobi, out double[] x)
    {
        using var matrix = device.Upload(a);
        var preconditioner = jacobi ? new Jacobi(a, device) : null;
        var dx = device.Allocate(a.Rows);
        var result = create(matrix, preconditioner).Solve(device.Upload(b), dx);
        x = dx.ToArray();
        preconditioner?.Dispose();
        return result;
    }

    private void AssertSolvedLikeCpu(CsrMatrix a, double[] b, Func<DeviceCsrMatrix, IPreconditioner?, KrylovSolver> create, bool jacobi)
    {
        var cpu = Solve(LearnedSolvers.Devices.Device.Cpu, a, b, create, jacobi, out _);
        var here = Solve(Device, a, b, create, jacobi, out var x);
        Assert.True(here.Converged, here.ToString());
        Assert.InRange(here.Iterations, cpu.Iterations - 1, cpu.Iterations + 1);
        double trueResidual = Reference.TrueRelativeResidual(a, x, b);
        Assert.True(trueResidual <= Tolerance, $"true residual {trueResidual:E3}");
        Assert.Equal(trueResidual, here.RelativeResidual, 1e-3 * Tolerance);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ConjugateGradient_MatchesCpuIterations_OnRandomSpd(bool jacobi)
    {
        var a = RandomSystems.Spd(300, 41);
        AssertSolvedLikeCpu(a, RandomSystems.Vector(300, 42), (m, p) => new ConjugateGradient(m, p, Options), jacobi);
    }

    [Fact]
    public void FlexibleConjugateGradient_WithJacobi_MatchesCpuIterations_OnRandomSpd()
    {
        var a = RandomSystems.Spd(250, 43);
        AssertSolvedLikeCpu(a, RandomSystems.Vector(250, 44), (m, p) => new FlexibleConjugateGradient(m, p, Options), jacobi: true);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gmres_MatchesCpuIterations_OnRandomNonsymmetric(bool jacobi)
    {
        var a = RandomSystems.Nonsymmetric(200, 45);
        AssertSolvedLikeCpu(a, RandomSystems.Vector(200, 46), (m, p) => new Gmres(m, p, Options, restart: 20), jacobi);
    }

    [Fact]
    public void FlexibleGmres_WithJacobi_MatchesCpuIterations_OnRandomNonsymmetric()
    {
        var a = RandomSystems.Nonsymmetric(200, 47);
        AssertSolvedLikeCpu(a, RandomSystems.Vector(200, 48), (m, p) => new FlexibleGmres(m, p, Options, restart: 20), jacobi: true);
    }

    [Fact]
    public void BiCgStab_ConvergesToTrueResidual_OnRandomNonsymmetric()
    {
        var a = RandomSystems.Nonsymmetric(200, 49);
        var b = RandomSystems.Vector(200, 50);
        var result = Solve(Device, a, b, (m, p) => new BiCgStab(m, p, Options), jacobi: true, out var x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(a, x, b) <= Tolerance);
    }
}

public sealed class IlgpuCpuSolverTests : DeviceSolverTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaSolverTests : DeviceSolverTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
