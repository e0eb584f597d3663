using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

public class FlexibleGmresTests
{
    private static readonly Device Cpu = Device.Cpu;

    public static TheoryData<int, int> SizesAndSeeds => new()
    {
        { 1, 1 }, { 2, 2 }, { 10, 3 }, { 137, 4 }, { 500, 5 }, { 2000, 6 }, { 2000, 7 },
    };

    /// <summary>One system per size: the dense reference LU of a 2000 x 2000 matrix costs seconds (shared via <see cref="SolvedSystems"/>).</summary>
    public static TheoryData<int, int> DirectSolveCases => new()
    {
        { 1, 1 }, { 2, 2 }, { 10, 3 }, { 137, 4 }, { 500, 5 }, { 2000, 6 },
    };

    [Theory, MemberData(nameof(DirectSolveCases))]
    public void Fgmres_MatchesDirectSolve_OnRandomNonsymmetric_WithAndWithoutJacobi(int n, int seed)
    {
        var s = SolvedSystems.Nonsymmetric(n, seed);
        foreach (var m in new IPreconditioner?[] { null, new Jacobi(s.A) })
        {
            var x = Cpu.Upload(RandomSystems.Vector(n, seed + 300));
            var result = new FlexibleGmres(Cpu.Upload(s.A), m, new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(s.B), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8);
        }
    }

    [Theory, MemberData(nameof(SizesAndSeeds))]
    public void Fgmres_WithVariablePreconditioner_MeetsTolerance(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed + 50);
        var b = RandomSystems.Vector(n, seed + 60);
        var m = new VariableJacobiSweeps(a);
        var x = Cpu.Allocate(n);
        var result = new FlexibleGmres(Cpu.Upload(a), m, restart: 10).Solve(Cpu.Upload(b), x);
        Assert.Equal(StopReason.ConvergedRelative, result.Reason);
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-8, result.ToString());
        Assert.True(n < 3 || m.Applications >= 3, "The preconditioner should have varied.");
    }

    [Fact]
    public void Fgmres_WithFixedJacobi_ProducesTheIteratesOfRightPreconditionedGmres()
    {
        const int n = 1000;
        var a = RandomSystems.Nonsymmetric(n, 31, dominance: 0.6);
        var b = Cpu.Upload(RandomSystems.Vector(n, 32));
        var options = new SolverOptions(RelativeTolerance: 1e-10);
        var xf = Cpu.Allocate(n);
        var xg = Cpu.Allocate(n);
        var flexible = new FlexibleGmres(Cpu.Upload(a), new Jacobi(a), options, restart: 10).Solve(b, xf);
        var plain = new Gmres(Cpu.Upload(a), new Jacobi(a), options, restart: 10).Solve(b, xg);
        Assert.True(flexible.Converged && plain.Converged, $"{flexible} / {plain}");
        Assert.True(plain.Iterations > 20, $"Only {plain.Iterations} iterations: the test needs several restarts.");
        Assert.Equal(plain.Iterations, flexible.Iterations);
        for (int k = 0; k < plain.ResidualHistory.Count; k++)
        {
            double g = plain.ResidualHistory[k], f = flexible.ResidualHistory[k];
            Assert.True(Math.Abs(g - f) <= 1e-6 * g, $"Histories differ at {k}: {g:E6} vs {f:E6}.");
        }
        Assert.True(Reference.RelativeMaxError(xf.ToArray(), xg.ToArray()) < 1e-8);
    }

    [Fact]
    public void RestartedFgmres_Stagnates_OnCyclicPermutation()
    {
        const int n = 10;
        var b = new double[n];
        b[0] = 1;
        var result = new FlexibleGmres(Cpu.Upload(GmresTests.CyclicPermutation(n)), restart: 4).Solve(Cpu.Upload(b), Cpu.Allocate(n));
        Assert.Equal(StopReason.Stagnation, result.Reason);
        Assert.Equal(4, result.Iterations);
    }

    [Fact]
    public void Fgmres_StopsAtMaxIterations_WithHistory()
    {
        var a = RandomSystems.Nonsymmetric(400, 8, dominance: 0.5);
        var result = new FlexibleGmres(Cpu.Upload(a), new VariableJacobiSweeps(a), new SolverOptions(MaxIterations: 5), restart: 2)
            .Solve(Cpu.Upload(RandomSystems.Vector(400, 9)), Cpu.Allocate(400));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(5, result.Iterations);
        Assert.Equal(6, result.ResidualHistory.Count);
    }

    [Fact]
    public void Fgmres_ZeroRightHandSide_ReturnsZeroSolution()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var x = Cpu.Upload(RandomSystems.Vector(20, 2));
        var result = new FlexibleGmres(Cpu.Upload(a), new VariableJacobiSweeps(a)).Solve(Cpu.Allocate(20), x);
        Assert.True(result.Converged);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Fgmres_NaNInRightHandSide_StopsWithNaNReason()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var b = RandomSystems.Vector(20, 2);
        b[5] = double.PositiveInfinity;
        var result = new FlexibleGmres(Cpu.Upload(a)).Solve(Cpu.Upload(b), Cpu.Allocate(20));
        Assert.Equal(StopReason.NaNOrInfinity, result.Reason);
    }

    [Fact]
    public void Fgmres_WarmSolve_AllocatesOnlyTheResult()
    {
        var a = RandomSystems.Nonsymmetric(50_000, 4);
        var b = Cpu.Upload(RandomSystems.Vector(50_000, 5));
        var x = Cpu.Allocate(50_000);
        var solver = new FlexibleGmres(Cpu.Upload(a), new VariableJacobiSweeps(a), new SolverOptions(RecordHistory: false), restart: 5);
        solver.Solve(b, x);
        Cpu.Fill(x, 0);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(x, 0);
            return solver.Solve(b, x);
        });
        Assert.True(result.Converged, result.ToString());
        Assert.True(allocated < 1024, $"A warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
    }
}
