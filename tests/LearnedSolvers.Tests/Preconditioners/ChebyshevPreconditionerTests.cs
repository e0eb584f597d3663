using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class ChebyshevPreconditionerTests
{
    [Fact]
    public void IsSymmetric_AndCutsPcgIterationsAgainstJacobi()
    {
        var s = Diffusion.Generate(new DiffusionOptions { GridSize = 48, TargetContrast = 100, Seed = 2 });
        var cpu = Device.Cpu;
        var chebyshev = new ChebyshevPreconditioner(s.Matrix, degree: 4);
        Assert.True(PreconditionerChecks.SymmetryDefect(chebyshev, 5) < 1e-12);
        int Iterations(IPreconditioner m)
        {
            var x = cpu.Allocate(s.Size);
            var result = new ConjugateGradient(cpu.Upload(s.Matrix), m).Solve(cpu.Upload(s.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
            return result.Iterations;
        }
        int jacobi = Iterations(new Jacobi(s.Matrix)), poly = Iterations(chebyshev);
        Assert.True(poly * 2 < jacobi, $"Chebyshev(4) {poly} vs Jacobi {jacobi}");
    }

    [Fact]
    public void OnTheIlgpuCpuAccelerator_MatchesTheCpuIterations()
    {
        var s = Poisson.TwoD(16);
        int Iterations(Device device, out double[] x)
        {
            var m = new ChebyshevPreconditioner(s.Matrix, degree: 3, device: device);
            var dx = device.Allocate(s.Size);
            var result = new ConjugateGradient(device.Upload(s.Matrix), m).Solve(device.Upload(s.RightHandSide), dx);
            Assert.True(result.Converged, result.ToString());
            x = dx.ToArray();
            return result.Iterations;
        }
        int cpu = Iterations(Device.Cpu, out _);
        int here = Iterations(DeviceTargets.IlgpuCpu, out var solution);
        Assert.InRange(here, cpu - 1, cpu + 1);
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, solution, s.RightHandSide) <= 1e-8);
    }

    [Fact]
    public void BadArguments_AreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChebyshevPreconditioner(Poisson.TwoD(4).Matrix, degree: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChebyshevPreconditioner(Poisson.TwoD(4).Matrix, lowerFraction: 1.5));
    }
}
