using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// The sparse direct solver as the reference where a dense one cannot go (a 22,500-row dense LU needs 4 GB): Krylov
/// solutions to a tight tolerance agree with the factorization's to within what the condition number allows.
/// </summary>
public class DirectReferenceTests
{
    private static readonly Device Cpu = Device.Cpu;

    [Fact]
    public void Ic0Pcg_OnPoisson150_AgreesWithTheDirectSolution()
    {
        var a = Poisson.TwoD(150).Matrix;
        var b = RandomSystems.Vector(a.Rows, seed: 11);
        using var da = Cpu.Upload(a);
        var m = PreconditionerFactories.Ic0().Create(da);
        using var cg = new ConjugateGradient(da, m, new SolverOptions(RelativeTolerance: 1e-13, MaxIterations: 5000));
        AssertAgrees(a, da, b, cg, 1e-8); // κ ≈ 10⁴: 1e-13 on the residual bounds the error by about 1e-9
    }

    [Fact]
    public void Ilu0Gmres_OnConvectionDiffusion120_AgreesWithTheDirectSolution()
    {
        var a = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 120, Peclet = 200 }).Matrix;
        var b = RandomSystems.Vector(a.Rows, seed: 12);
        using var da = Cpu.Upload(a);
        var m = PreconditionerFactories.Ilu0().Create(da);
        using var gmres = new Gmres(da, m, new SolverOptions(RelativeTolerance: 1e-13, MaxIterations: 5000), 50);
        AssertAgrees(a, da, b, gmres, 1e-8);
    }

    private static void AssertAgrees(CsrMatrix a, DeviceCsrMatrix da, double[] b, ILinearSolver iterative, double tolerance)
    {
        using var direct = new SparseDirectSolver(da);
        var exact = new double[a.Rows];
        Assert.True(direct.Solve(b, exact).Converged);
        using var db = Cpu.Upload(b);
        using var dx = Cpu.Allocate(a.Rows);
        var result = iterative.Solve(db, dx);
        Assert.True(result.Converged, result.ToString());
        double error = Reference.RelativeMaxError(dx.ToArray(), exact);
        Assert.True(error <= tolerance, $"max relative difference {error:E2} ({direct.Backend})");
    }
}
