using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sequences;

public class SequenceSolverTests
{
    private static List<LinearSystem> Family(int count = 12) =>
        ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 20, TargetContrast = 100, Seed = 3 }, count, perturbation: 0.2, seed: 4).ToList();

    [Theory]
    [InlineData(KrylovMethod.Gmres, "none", false)]
    [InlineData(KrylovMethod.GcroDr, "none", true)]
    [InlineData(KrylovMethod.GcroDr, "ilu0", true)]
    [InlineData(KrylovMethod.Gmres, "jacobi", true)]
    public void EverySystem_MeetsTheTrueResidual_InTheChosenOrder(KrylovMethod method, string preconditioner, bool sort)
    {
        var systems = Family();
        var solver = new SequenceSolver(new SequenceSolverOptions { Method = method, Preconditioner = PreconditionerRegistry.Get(preconditioner), Sort = sort, Restart = 30, Recycle = 10 });
        var steps = solver.Solve(systems).ToList();
        Assert.Equal(Enumerable.Range(0, systems.Count), steps.Select(s => s.Index).Order());
        Assert.Equal(solver.LastOrder!.Order, steps.Select(s => s.Index));
        foreach (var step in steps)
        {
            var s = systems[step.Index];
            Assert.True(step.Result.Converged, step.Result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, step.Solution, s.RightHandSide) <= 1e-8);
            Assert.True(step.MatrixVectorProducts >= step.Result.Iterations);
        }
    }

    [Fact]
    public void Recycling_NeedsFewerProductsThanGmres_AndResumingKeepsTheSpace()
    {
        var systems = Family(16);
        long Products(SequenceSolver s, IReadOnlyList<LinearSystem> batch) => s.Solve(batch).Sum(step => step.MatrixVectorProducts);
        long gmres = Products(new SequenceSolver(new SequenceSolverOptions { Method = KrylovMethod.Gmres, Restart = 30 }), systems);
        var recycling = new SequenceSolver(new SequenceSolverOptions { Method = KrylovMethod.GcroDr, Restart = 30, Recycle = 10 });
        long firstHalf = Products(recycling, systems[..8]);
        long secondHalf = Products(recycling, systems[8..]);
        long fresh = Products(new SequenceSolver(new SequenceSolverOptions { Method = KrylovMethod.GcroDr, Restart = 30, Recycle = 10 }), systems[8..]);
        Assert.True(firstHalf + secondHalf < gmres, $"GCRO-DR {firstHalf + secondHalf} vs GMRES {gmres}");
        Assert.True(secondHalf < fresh, $"resumed {secondHalf} vs fresh {fresh}");
    }

    [Fact]
    public void WarmStart_FromThePreviousSolution_SavesGmresIterations_InSkrOrder()
    {
        var systems = Family(10);
        int Iterations(bool warm) => new SequenceSolver(new SequenceSolverOptions { Method = KrylovMethod.Gmres, Restart = 30, Sort = true, WarmStart = warm })
            .Solve(systems).Sum(step =>
            {
                var s = systems[step.Index];
                Assert.True(Reference.TrueRelativeResidual(s.Matrix, step.Solution, s.RightHandSide) <= 1e-8);
                return step.Result.Iterations;
            });
        int cold = Iterations(false), warm = Iterations(true);
        Assert.True(warm < cold, $"warm {warm} vs cold {cold}");
    }

    [Fact]
    public void RebuiltPreconditioners_AndDeviceMemory_AreReleasedAsTheSequenceGoes()
    {
        var systems = Family(4);
        var amg = new SequenceSolver(new SequenceSolverOptions { Method = KrylovMethod.Cg, Preconditioner = PreconditionerFactories.Amg() });
        Assert.All(amg.Solve(systems), step => Assert.True(step.Result.Converged, step.Result.ToString()));

        var small = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 10, TargetContrast = 10, Seed = 3 }, 3, 0.2, 4).ToList();
        var onDevice = new SequenceSolver(new SequenceSolverOptions { Method = KrylovMethod.GcroDr, Restart = 20, Recycle = 5, Device = LearnedSolvers.Tests.Devices.DeviceTargets.IlgpuCpu });
        foreach (var step in onDevice.Solve(small))
        {
            var s = small[step.Index];
            Assert.True(step.Result.Converged, step.Result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, step.Solution, s.RightHandSide) <= 1e-8);
        }
    }
}

/// <summary>GCRO-DR + SKR across a sequence on the GPU: every system meets the true residual, with the CPU's iteration counts.</summary>
[Trait("Category", "Gpu")]
public class CudaSequenceSolverTests
{
    [Fact]
    public void GcroDrWithSkr_OnCuda_SolvesEverySystem_AsOnTheCpu()
    {
        var device = LearnedSolvers.Tests.Devices.DeviceTargets.CudaOrSkip;
        var systems = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 48, Seed = 5 }, 20, perturbation: 0.3, seed: 6).ToList();
        var options = new SequenceSolverOptions { Method = KrylovMethod.GcroDr, Sort = true, Restart = 40, Recycle = 20 };
        long cpu = new SequenceSolver(options).Solve(systems).Sum(s => (long)s.Result.Iterations);
        long gpu = 0;
        foreach (var step in new SequenceSolver(options with { Device = device }).Solve(systems))
        {
            var s = systems[step.Index];
            Assert.True(step.Result.Converged, step.Result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, step.Solution, s.RightHandSide) <= 1e-8);
            gpu += step.Result.Iterations;
        }
        Assert.InRange(gpu, 0.9 * cpu, 1.1 * cpu); // rounding differs (reduction order), the method does not
    }
}
