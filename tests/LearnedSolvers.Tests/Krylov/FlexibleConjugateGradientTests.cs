using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

public class FlexibleConjugateGradientTests
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
    public void Fcg_MatchesDirectSolve_OnRandomSpd_WithAndWithoutJacobi(int n, int seed)
    {
        var s = SolvedSystems.Spd(n, seed);
        foreach (var m in new IPreconditioner?[] { null, new Jacobi(s.A) })
        {
            var x = Cpu.Upload(RandomSystems.Vector(n, seed + 300));
            var result = new FlexibleConjugateGradient(Cpu.Upload(s.A), m, new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(s.B), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8);
        }
    }

    [Theory, MemberData(nameof(DirectSolveCases))]
    public void Fcg_WithVariablePreconditioner_MatchesDirectSolve(int n, int seed)
    {
        var s = SolvedSystems.Spd(n, seed);
        var m = new VariableJacobiSweeps(s.A);
        var x = Cpu.Allocate(n);
        var result = new FlexibleConjugateGradient(Cpu.Upload(s.A), m, new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(s.B), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8);
        Assert.True(n < 3 || m.Applications >= 3, "The preconditioner should have varied.");
    }

    [Theory, MemberData(nameof(SizesAndSeeds))]
    public void Fcg_TrueResidualMeetsTolerance_WithFixedAndVariablePreconditioners(int n, int seed)
    {
        var a = RandomSystems.Spd(n, seed + 50);
        var b = RandomSystems.Vector(n, seed + 60);
        foreach (var m in new IPreconditioner?[] { null, new Jacobi(a), new VariableJacobiSweeps(a) })
        {
            var x = Cpu.Allocate(n);
            var result = new FlexibleConjugateGradient(Cpu.Upload(a), m).Solve(Cpu.Upload(b), x);
            Assert.Equal(StopReason.ConvergedRelative, result.Reason);
            double trueResidual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
            Assert.True(trueResidual <= 1e-8, $"{trueResidual:E3}: {result}");
            Assert.Equal(trueResidual, result.RelativeResidual, 1e-12);
            Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        }
    }

    [Theory]
    [InlineData(300, 11)]
    [InlineData(2000, 12)]
    public void Fcg_WithoutPreconditioner_TakesTheIterationsOfCg(int n, int seed)
    {
        var a = RandomSystems.Spd(n, seed, dominance: 1.001);
        var b = Cpu.Upload(RandomSystems.Vector(n, seed + 1));
        var fcg = new FlexibleConjugateGradient(Cpu.Upload(a)).Solve(b, Cpu.Allocate(n));
        var cg = new ConjugateGradient(Cpu.Upload(a)).Solve(b, Cpu.Allocate(n));
        Assert.True(fcg.Converged, fcg.ToString());
        Assert.True(cg.Iterations > 20, cg.ToString());
        // FCG(1) is CG in exact arithmetic; rounding moves the count by an iteration or two at most.
        Assert.InRange(fcg.Iterations, cg.Iterations - 2, cg.Iterations + 2);
    }

    [Fact]
    public void Fcg_StopsWithIndefiniteMatrix_OnNegativeDefinite()
    {
        var a = RandomSystems.Spd(50, 3);
        var negated = a.WithValues(a.Values.Select(v => -v).ToArray());
        var result = new FlexibleConjugateGradient(Cpu.Upload(negated)).Solve(Cpu.Upload(RandomSystems.Vector(50, 4)), Cpu.Allocate(50));
        Assert.False(result.Converged);
        Assert.Equal(StopReason.IndefiniteMatrix, result.Reason);
    }

    [Fact]
    public void Fcg_StopsWithIndefinitePreconditioner_OnNegativeScaling()
    {
        var a = RandomSystems.Spd(50, 3);
        var negated = a.WithValues(a.Values.Select(v => -v).ToArray());
        var result = new FlexibleConjugateGradient(Cpu.Upload(a), new Jacobi(negated)).Solve(Cpu.Upload(RandomSystems.Vector(50, 4)), Cpu.Allocate(50));
        Assert.False(result.Converged);
        Assert.Equal(StopReason.IndefinitePreconditioner, result.Reason);
    }

    [Fact]
    public void Fcg_StopsAtMaxIterations_WithHistory()
    {
        var a = RandomSystems.Spd(400, 8, dominance: 1.0001);
        var result = new FlexibleConjugateGradient(Cpu.Upload(a), new VariableJacobiSweeps(a), new SolverOptions(MaxIterations: 3))
            .Solve(Cpu.Upload(RandomSystems.Vector(400, 9)), Cpu.Allocate(400));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(4, result.ResidualHistory.Count);
    }

    [Fact]
    public void Fcg_ZeroRightHandSide_ReturnsZeroSolution()
    {
        var a = RandomSystems.Spd(20, 1);
        var x = Cpu.Upload(RandomSystems.Vector(20, 2));
        var result = new FlexibleConjugateGradient(Cpu.Upload(a)).Solve(Cpu.Allocate(20), x);
        Assert.True(result.Converged);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Fcg_NaNInRightHandSide_StopsWithNaNReason()
    {
        var a = RandomSystems.Spd(20, 1);
        var b = RandomSystems.Vector(20, 2);
        b[5] = double.NaN;
        var result = new FlexibleConjugateGradient(Cpu.Upload(a)).Solve(Cpu.Upload(b), Cpu.Allocate(20));
        Assert.Equal(StopReason.NaNOrInfinity, result.Reason);
    }

    [Fact]
    public void Fcg_WarmSolve_AllocatesOnlyTheResult()
    {
        var a = RandomSystems.Spd(50_000, 4);
        var b = Cpu.Upload(RandomSystems.Vector(50_000, 5));
        var x = Cpu.Allocate(50_000);
        var solver = new FlexibleConjugateGradient(Cpu.Upload(a), new VariableJacobiSweeps(a), new SolverOptions(RecordHistory: false));
        solver.Solve(b, x);
        Cpu.Fill(x, 0);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(x, 0);
            return solver.Solve(b, x);
        });
        Assert.True(result.Iterations > 5, result.ToString());
        Assert.True(allocated < 1024, $"A warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
    }
}
