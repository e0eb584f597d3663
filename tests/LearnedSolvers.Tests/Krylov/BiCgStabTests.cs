using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

public class BiCgStabTests
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
    public void BiCgStab_MatchesDirectSolve_OnRandomNonsymmetric_WithAndWithoutJacobi(int n, int seed)
    {
        var s = SolvedSystems.Nonsymmetric(n, seed);
        foreach (var m in new IPreconditioner?[] { null, new Jacobi(s.A) })
        {
            var x = Cpu.Upload(RandomSystems.Vector(n, seed + 300));
            var result = new BiCgStab(Cpu.Upload(s.A), m, new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(s.B), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8);
        }
    }

    [Theory, MemberData(nameof(SizesAndSeeds))]
    public void BiCgStab_TrueResidualMeetsTolerance_WithAndWithoutJacobi(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed + 50);
        var b = RandomSystems.Vector(n, seed + 60);
        foreach (var m in new IPreconditioner?[] { null, new Jacobi(a) })
        {
            var x = Cpu.Allocate(n);
            var result = new BiCgStab(Cpu.Upload(a), m).Solve(Cpu.Upload(b), x);
            Assert.Equal(StopReason.ConvergedRelative, result.Reason);
            double trueResidual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
            Assert.True(trueResidual <= 1e-8, $"{trueResidual:E3}: {result}");
            Assert.Equal(trueResidual, result.RelativeResidual, 1e-12);
            Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        }
    }

    [Fact]
    public void BiCgStab_ExitsAtHalfStep_WhenSVanishes()
    {
        // A = 2I: α = 1/2 makes s = r − αAr = 0, so the first half step is exact.
        var a = CsrMatrix.Identity(30).WithValues(Enumerable.Repeat(2.0, 30).ToArray());
        var b = RandomSystems.Vector(30, 3);
        var x = Cpu.Allocate(30);
        var result = new BiCgStab(Cpu.Upload(a)).Solve(Cpu.Upload(b), x);
        Assert.Equal(StopReason.ConvergedRelative, result.Reason);
        Assert.Equal(1, result.Iterations);
        Assert.True(Reference.RelativeMaxError(x.ToArray(), b.Select(v => v / 2).ToArray()) < 1e-15);
    }

    [Fact]
    public void BiCgStab_ReportsBreakdown_WhenShadowIsOrthogonalToAp()
    {
        // A = [[0,1],[1,0]], b = e₁: r̂ = r₀ = e₁ and v = A p = e₂, so r̂ᵀv = 0 and α = ρ/r̂ᵀv is undefined.
        var a = Dense2x2(0, 1, 1, 0);
        var x = Cpu.Allocate(2);
        var result = new BiCgStab(Cpu.Upload(a)).Solve(Cpu.Upload([1.0, 0.0]), x);
        Assert.Equal(StopReason.Breakdown, result.Reason);
        Assert.False(result.Converged);
        Assert.Equal(0, result.Iterations);
        Assert.Equal([0.0, 0.0], x.ToArray());
    }

    [Fact]
    public void BiCgStab_ReportsBreakdown_WhenOmegaVanishes_KeepingTheHalfStep()
    {
        // A = [[1,1],[1,0]], b = e₁: α = 1, s = (0, −1), t = A s = (−1, 0), so tᵀs = 0 and ω = 0.
        var a = Dense2x2(1, 1, 1, 0);
        var x = Cpu.Allocate(2);
        var result = new BiCgStab(Cpu.Upload(a)).Solve(Cpu.Upload([1.0, 0.0]), x);
        Assert.Equal(StopReason.Breakdown, result.Reason);
        Assert.Equal(1, result.Iterations);
        Assert.Equal([1.0, 0.0], x.ToArray());
        Assert.Equal(1.0, result.RelativeResidual, 15); // ‖s‖/‖b‖
    }

    [Fact]
    public void BiCgStab_StopsAtMaxIterations_WithHistory()
    {
        var a = RandomSystems.Nonsymmetric(400, 8, dominance: 0.5);
        var result = new BiCgStab(Cpu.Upload(a), new Jacobi(a), new SolverOptions(MaxIterations: 3))
            .Solve(Cpu.Upload(RandomSystems.Vector(400, 9)), Cpu.Allocate(400));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(3, result.Iterations);
        Assert.Equal(4, result.ResidualHistory.Count);
        Assert.Equal(result.ResidualHistory[^1], result.RelativeResidual, 1e-10);
    }

    [Fact]
    public void BiCgStab_ZeroRightHandSide_ReturnsZeroSolution()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var x = Cpu.Upload(RandomSystems.Vector(20, 2));
        var result = new BiCgStab(Cpu.Upload(a)).Solve(Cpu.Allocate(20), x);
        Assert.True(result.Converged);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void BiCgStab_NaNInRightHandSide_StopsWithNaNReason()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var b = RandomSystems.Vector(20, 2);
        b[5] = double.NaN;
        var result = new BiCgStab(Cpu.Upload(a)).Solve(Cpu.Upload(b), Cpu.Allocate(20));
        Assert.Equal(StopReason.NaNOrInfinity, result.Reason);
    }

    [Fact]
    public void BiCgStab_WarmSolve_AllocatesOnlyTheResult()
    {
        var a = RandomSystems.Nonsymmetric(50_000, 4);
        var b = Cpu.Upload(RandomSystems.Vector(50_000, 5));
        var x = Cpu.Allocate(50_000);
        var solver = new BiCgStab(Cpu.Upload(a), new Jacobi(a), new SolverOptions(RecordHistory: false));
        solver.Solve(b, x);
        Cpu.Fill(x, 0);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(x, 0);
            return solver.Solve(b, x);
        });
        Assert.True(result.Converged, result.ToString());
        Assert.True(result.Iterations > 5, result.ToString());
        Assert.True(allocated < 1024, $"A warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
    }

    private static CsrMatrix Dense2x2(double a00, double a01, double a10, double a11)
    {
        var builder = new TripletBuilder(2, 2);
        builder.Add(0, 0, a00);
        builder.Add(0, 1, a01);
        builder.Add(1, 0, a10);
        builder.Add(1, 1, a11);
        return builder.ToCsr();
    }
}
