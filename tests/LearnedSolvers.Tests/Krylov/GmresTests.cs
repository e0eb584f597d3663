using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

public class GmresTests
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
    public void Gmres_MatchesDirectSolve_OnRandomNonsymmetric(int n, int seed)
    {
        var s = SolvedSystems.Nonsymmetric(n, seed);
        var x = Cpu.Allocate(n);
        var result = new Gmres(Cpu.Upload(s.A), options: new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(s.B), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8);
    }

    [Theory, MemberData(nameof(DirectSolveCases))]
    public void JacobiGmres_MatchesDirectSolve_FromRandomGuess(int n, int seed)
    {
        var s = SolvedSystems.Nonsymmetric(n, seed);
        var x = Cpu.Upload(RandomSystems.Vector(n, seed + 300));
        var result = new Gmres(Cpu.Upload(s.A), new Jacobi(s.A), new SolverOptions(RelativeTolerance: 1e-13)).Solve(Cpu.Upload(s.B), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8);
    }

    [Theory, MemberData(nameof(SizesAndSeeds))]
    public void Gmres_TrueResidualMeetsTolerance_WithAndWithoutJacobi(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed + 50);
        var b = RandomSystems.Vector(n, seed + 60);
        foreach (var m in new IPreconditioner?[] { null, new Jacobi(a) })
        {
            var x = Cpu.Allocate(n);
            var result = new Gmres(Cpu.Upload(a), m, restart: 10).Solve(Cpu.Upload(b), x);
            Assert.Equal(StopReason.ConvergedRelative, result.Reason);
            double trueResidual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
            Assert.True(trueResidual <= 1e-8, $"{trueResidual:E3}: {result}");
            Assert.Equal(trueResidual, result.RelativeResidual, 1e-12);
            Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
        }
    }

    [Theory]
    [InlineData(5, 1, 5)]
    [InlineData(30, 2, 30)]
    [InlineData(60, 3, 200)]
    public void Gmres_WithRestartAtLeastN_ConvergesInAtMostNIterations(int n, int seed, int restart)
    {
        // Dense and barely dominant: GMRES needs nearly the whole space.
        var a = RandomSystems.Nonsymmetric(n, seed, perRow: n, dominance: 0.3);
        var b = RandomSystems.Vector(n, seed + 1);
        var x = Cpu.Allocate(n);
        var solver = new Gmres(Cpu.Upload(a), options: new SolverOptions(RelativeTolerance: 1e-11), restart: restart);
        var result = solver.Solve(Cpu.Upload(b), x);
        Assert.Equal(n, solver.Restart);
        Assert.True(result.Converged, result.ToString());
        Assert.True(result.Iterations <= n + 1, result.ToString());
        Assert.True(Reference.RelativeMaxError(x.ToArray(), Reference.DenseSolve(a, b)) < 1e-6);
    }

    [Fact]
    public void Gmres_ResidualHistory_IsNonIncreasingWithinEachCycle()
    {
        const int restart = 8;
        var a = RandomSystems.Nonsymmetric(300, 21, dominance: 0.7);
        var result = new Gmres(Cpu.Upload(a), options: new SolverOptions(RelativeTolerance: 1e-10), restart: restart)
            .Solve(Cpu.Upload(RandomSystems.Vector(300, 22)), Cpu.Allocate(300));
        Assert.True(result.Converged, result.ToString());
        Assert.True(result.Iterations > 3 * restart, $"Only {result.Iterations} iterations: the test needs several cycles.");
        var h = result.ResidualHistory;
        for (int k = 1; k <= result.Iterations; k++)
        {
            // Iteration k opens a cycle when (k − 1) is a multiple of m; it starts from the true residual, not h[k − 1].
            if ((k - 1) % restart == 0 && k > 1) continue;
            Assert.True(h[k] <= h[k - 1] * (1 + 1e-12), $"History rose at iteration {k}: {h[k - 1]:E6} -> {h[k]:E6}.");
        }
    }

    [Fact]
    public void Gmres_HappyBreakdown_OnThreeEigenvalues_ConvergesInThreeIterations()
    {
        const int n = 60;
        var builder = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++) builder.Add(i, i, 1 + i % 3);
        var a = builder.ToCsr();
        var b = RandomSystems.Vector(n, 5);
        var x = Cpu.Allocate(n);
        var result = new Gmres(Cpu.Upload(a), options: new SolverOptions(RelativeTolerance: 1e-14)).Solve(Cpu.Upload(b), x);
        Assert.Equal(StopReason.ConvergedRelative, result.Reason);
        Assert.Equal(3, result.Iterations);
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-14);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(9)]
    public void RestartedGmres_Stagnates_OnCyclicPermutation(int restart)
    {
        // P e_i = e_{i+1}: Pᵏ e₁ ⟂ e₁ for k < n, so every cycle shorter than n leaves the residual exactly at ‖e₁‖.
        const int n = 10;
        var a = CyclicPermutation(n);
        var b = new double[n];
        b[0] = 1;
        var result = new Gmres(Cpu.Upload(a), restart: restart).Solve(Cpu.Upload(b), Cpu.Allocate(n));
        Assert.Equal(StopReason.Stagnation, result.Reason);
        Assert.False(result.Converged);
        Assert.Equal(restart, result.Iterations);
        Assert.Equal(1.0, result.RelativeResidual, 12);
    }

    [Fact]
    public void FullGmres_SolvesCyclicPermutation_InNIterations()
    {
        const int n = 10;
        var a = CyclicPermutation(n);
        var b = new double[n];
        b[0] = 1;
        var x = Cpu.Allocate(n);
        var result = new Gmres(Cpu.Upload(a), restart: n).Solve(Cpu.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        Assert.Equal(n, result.Iterations);
        var expected = new double[n];
        expected[n - 1] = 1;
        Assert.True(Reference.RelativeMaxError(x.ToArray(), expected) < 1e-12);
    }

    [Fact]
    public void Gmres_ReportsBreakdown_WhenOperatorIsSingularOnKrylovSpace()
    {
        // A = diag(1, 0), b = e₂: A r₀ = 0, so no step can reduce the residual.
        var builder = new TripletBuilder(2, 2);
        builder.Add(0, 0, 1);
        builder.Add(1, 1, 0);
        var result = new Gmres(Cpu.Upload(builder.ToCsr())).Solve(Cpu.Upload([0.0, 1.0]), Cpu.Allocate(2));
        Assert.Equal(StopReason.Breakdown, result.Reason);
        Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
    }

    [Fact]
    public void Gmres_StopsAtMaxIterations_AcrossARestart_WithHistory()
    {
        var a = RandomSystems.Nonsymmetric(400, 8, dominance: 0.5);
        var result = new Gmres(Cpu.Upload(a), options: new SolverOptions(MaxIterations: 7), restart: 3)
            .Solve(Cpu.Upload(RandomSystems.Vector(400, 9)), Cpu.Allocate(400));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(7, result.Iterations);
        Assert.Equal(8, result.ResidualHistory.Count);
        Assert.Equal(result.ResidualHistory[^1], result.RelativeResidual, 1e-10);
    }

    [Fact]
    public void Gmres_ZeroRightHandSide_ReturnsZeroSolution()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var x = Cpu.Upload(RandomSystems.Vector(20, 2));
        var result = new Gmres(Cpu.Upload(a)).Solve(Cpu.Allocate(20), x);
        Assert.True(result.Converged);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v));
    }

    [Fact]
    public void Gmres_NaNInRightHandSide_StopsWithNaNReason()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var b = RandomSystems.Vector(20, 2);
        b[5] = double.NaN;
        var result = new Gmres(Cpu.Upload(a)).Solve(Cpu.Upload(b), Cpu.Allocate(20));
        Assert.Equal(StopReason.NaNOrInfinity, result.Reason);
    }

    [Fact]
    public void Gmres_RejectsNonlinearPreconditioner_PointingToFlexibleGmres()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var e = Assert.Throws<ArgumentException>(() => new Gmres(Cpu.Upload(a), new VariableJacobiSweeps(a)));
        Assert.Equal("preconditioner", e.ParamName);
        Assert.Contains(nameof(FlexibleGmres), e.Message);
    }

    [Fact]
    public void Gmres_RejectsRestartBelowOne()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Gmres(Cpu.Upload(a), restart: 0));
    }

    [Fact]
    public void Gmres_WarmSolve_AllocatesOnlyTheResult()
    {
        var a = RandomSystems.Nonsymmetric(50_000, 4);
        var b = Cpu.Upload(RandomSystems.Vector(50_000, 5));
        var x = Cpu.Allocate(50_000);
        var solver = new Gmres(Cpu.Upload(a), new Jacobi(a), new SolverOptions(RecordHistory: false), restart: 10);
        solver.Solve(b, x);
        Cpu.Fill(x, 0);
        var (result, allocated) = Allocations.Least(() =>
        {
            Cpu.Fill(x, 0);
            return solver.Solve(b, x);
        });
        Assert.True(result.Converged, result.ToString());
        Assert.True(result.Iterations > 10, $"Only {result.Iterations} iterations: the test needs a restart.");
        Assert.True(allocated < 1024, $"A warm solve allocated {allocated} bytes over {result.Iterations} iterations.");
    }

    internal static CsrMatrix CyclicPermutation(int n)
    {
        var builder = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++) builder.Add((i + 1) % n, i, 1);
        return builder.ToCsr();
    }
}
