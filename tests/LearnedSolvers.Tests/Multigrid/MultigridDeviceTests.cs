using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Multigrid;

/// <summary>
/// The multigrid cycle on another device (setup on the CPU, cycle with the device's kernels) against the CPU cycle:
/// the same preconditioned iteration counts (within one) and a true residual that meets the tolerance. The Gauss–Seidel
/// smoother is CPU-only and must say so. Sizes stay small: ILGPU's CPU accelerator is slow.
/// </summary>
public abstract class MultigridDeviceTests
{
    protected abstract Device Device { get; }

    public static TheoryData<bool, SmootherKind> Cases => new()
    {
        { true, SmootherKind.Chebyshev }, { true, SmootherKind.Jacobi }, { false, SmootherKind.Chebyshev },
    };

    [Theory, MemberData(nameof(Cases))]
    public void PcgWithMultigrid_MatchesTheCpuCycle(bool geometric, SmootherKind smoother)
    {
        var s = Diffusion.Generate(new DiffusionOptions { GridSize = 24, TargetContrast = 100, Seed = 9 });
        var options = new MultigridOptions { Smoother = smoother, CoarseSize = 40 };
        int Solve(Device device, out double[] x)
        {
            using var h = geometric ? GeometricMultigrid.Build(s, options, device) : SmoothedAggregationAmg.Build(s.Matrix, options, device);
            using var a = device.Upload(s.Matrix);
            var dx = device.Allocate(s.Size);
            var result = new ConjugateGradient(a, new MultigridPreconditioner(h)).Solve(device.Upload(s.RightHandSide), dx);
            Assert.True(result.Converged, result.ToString());
            x = dx.ToArray();
            return result.Iterations;
        }
        int cpu = Solve(LearnedSolvers.Devices.Device.Cpu, out _);
        int here = Solve(Device, out var solution);
        Assert.InRange(here, cpu - 1, cpu + 1);
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, solution, s.RightHandSide) <= 1e-8);
    }

    [Fact]
    public void GaussSeidelSmoother_IsRefusedOffTheCpu()
    {
        var s = Poisson.TwoD(20);
        var e = Assert.Throws<NotSupportedException>(() => GeometricMultigrid.Build(s, new MultigridOptions { Smoother = SmootherKind.GaussSeidel, CoarseSize = 40 }, Device));
        Assert.Contains("CPU", e.Message);
    }
}

public sealed class IlgpuCpuMultigridTests : MultigridDeviceTests
{
    protected override Device Device => DeviceTargets.IlgpuCpu;
}

[Trait("Category", "Gpu")]
public sealed class CudaMultigridTests : MultigridDeviceTests
{
    protected override Device Device => DeviceTargets.CudaOrSkip;
}
