using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

public class ConjugateGradientTests
{
    private static readonly Device Cpu = Device.Cpu;

    public static TheoryData<int, int> SizesAndSeeds => new()
    {
        { 1, 1 }, { 2, 2 }, { 10, 3 }, { 137, 4 }, { 500, 5 }, { 2000, 6 }, { 2000, 7 },
    };

    [Theory, MemberData(nameof(SizesAndSeeds))]
    public void Cg_MatchesDirectSolve_OnRandomSpd(int n, int seed)
    {
        var (a, b, solution) = SolvedSystems.Spd(n, seed);
        var x = Cpu.Allocate(n);
        var result = new ConjugateGradient(Cpu.Upload(a), options: new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), solution) < 1e-8);
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-13);
    }

    [Theory, MemberData(nameof(SizesAndSeeds))]
    public void JacobiPcg_MatchesDirectSolve_OnRandomSpd(int n, int seed)
    {
        var (a, b, solution) = SolvedSystems.Spd(n, seed);
        var x = Cpu.Upload(RandomSystems.Vector(n, seed + 300));
        var result = new ConjugateGradient(Cpu.Upload(a), new Jacobi(a), new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), solution) < 1e-8);
    }

    [Fact]
    public void Cg_ReportsTrueResidual_AndHistoryOfEveryIteration()
    {
        var a = RandomSystems.Spd(300, 11);
        var b = RandomSystems.Vector(300, 12);
        var x = Cpu.Allocate(300);
        var result = new ConjugateGradient(Cpu.Upload(a)).Solve(Cpu.Upload(b), x);
        Assert.Equal(StopReason.ConvergedRelative, result.Reason);
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        Assert.Equal(1.0, result.ResidualHistory[0], 12);
        Assert.True(result.ResidualHistory[^1] <= 1e-8);
        Assert.Equal(Reference.TrueRelativeResidual(a, x.ToArray(), b), result.RelativeResidual, 1e-12);
    }

    [Fact]
    public void Cg_StopsWithIndefiniteMatrix_OnNegativeDefinite()
    {
        var a = RandomSystems.Spd(50, 3);
        var negated = a.WithValues(a.Values.Select(v => -v).ToArray());
        var result = new ConjugateGradient(Cpu.Upload(negated)).Solve(Cpu.Upload(RandomSystems.Vector(50, 4)), Cpu.Allocate(50));
        Assert.False(result.Converged);
        Assert.Equal(StopReason.IndefiniteMatrix, result.Reason);
    }

    [Fact]
    public void Pcg_StopsWithIndefinitePreconditioner_WhenJacobiScalesByNegativeDiagonal()
    {
        // A SPD except for one negative diagonal entry far from dominance: Jacobi's M is then indefinite.
        var a = RandomSystems.Spd(40, 5);
        var values = (double[])a.Values.Clone();
        values[a.IndexOf(7, 7)] = -1e-3;
        var bad = a.WithValues(values);
        var result = new ConjugateGradient(Cpu.Upload(bad), new Jacobi(bad)).Solve(Cpu.Upload(RandomSystems.Vector(40, 6)), Cpu.Allocate(40));
        Assert.False(result.Converged);
        Assert.Contains(result.Reason, new[] { StopReason.IndefinitePreconditioner, StopReason.IndefiniteMatrix });
    }

    [Fact]
    public void Cg_StopsAtMaxIterations_WithHistory()
    {
        var a = RandomSystems.Spd(400, 8, dominance: 1.0001);
        var result = new ConjugateGradient(Cpu.Upload(a), options: new SolverOptions(MaxIterations: 3)).Solve(Cpu.Upload(RandomSystems.Vector(400, 9)), Cpu.Allocate(400));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(4, result.ResidualHistory.Count);
    }

    [Fact]
    public void Cg_ZeroRightHandSide_ReturnsZeroSolution()
    {
        var a = RandomSystems.Spd(20, 1);
        var x = Cpu.Upload(RandomSystems.Vector(20, 2));
        var result = new ConjugateGradient(Cpu.Upload(a)).Solve(Cpu.Allocate(20), x);
        Assert.True(result.Converged);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Cg_NaNInRightHandSide_StopsWithNaNReason()
    {
        var a = RandomSystems.Spd(20, 1);
        var b = RandomSystems.Vector(20, 2);
        b[5] = double.NaN;
        var result = new ConjugateGradient(Cpu.Upload(a)).Solve(Cpu.Upload(b), Cpu.Allocate(20));
        Assert.Equal(StopReason.NaNOrInfinity, result.Reason);
    }

    [Fact]
    public void Cg_WarmSolve_AllocatesOnlyTheResult()
    {
        var a = RandomSystems.Spd(50_000, 4);
        var b = Cpu.Upload(RandomSystems.Vector(50_000, 5));
        var x = Cpu.Allocate(50_000);
        var solver = new ConjugateGradient(Cpu.Upload(a), new Jacobi(a), new SolverOptions(RecordHistory: false));
        solver.Solve(b, x);
        Cpu.Fill(x, 0);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(x, 0);
            return solver.Solve(b, x);
        });
        Assert.True(result.Iterations > 10);
        // The SolveResult, its empty history and a Stopwatch: a few hundred bytes, independent of the iteration count.
        Assert.True(allocated < 1024, $"A warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
    }

    [Fact]
    public void Cg_RejectsVectorOfWrongLength()
    {
        var solver = new ConjugateGradient(Cpu.Upload(RandomSystems.Spd(10, 1)));
        Assert.Throws<ArgumentException>(() => solver.Solve(Cpu.Allocate(11), Cpu.Allocate(10)));
    }

    [Fact]
    public void Cg_RejectsNonSquareOperator()
    {
        var a = new TripletBuilder(3, 4).ToCsr();
        Assert.Throws<ArgumentException>(() => new ConjugateGradient(Cpu.Upload(a)));
    }
}
