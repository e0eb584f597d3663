using LearnedSolvers.Auto;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Auto;

/// <summary>
/// <see cref="AutoSolver"/>: every shared matrix solved to a true residual of 1e-8 (b = A·ones), with and without
/// SuiteSparse; the iterative strategies alone on the hard matrices; fallback order, the kept choice, a singular matrix.
/// </summary>
public class AutoSolverTests
{
    private static readonly Device Cpu = Device.Cpu;

    public static TheoryData<string, bool> EveryMatrixBothPaths()
    {
        var data = new TheoryData<string, bool>();
        foreach (var (name, _) in SharedMatrices.Index())
        {
            data.Add(name, true);
            data.Add(name, false);
        }
        return data;
    }

    [Theory, MemberData(nameof(EveryMatrixBothPaths))]
    public void Auto_SolvesEverySharedMatrix_To1e8(string name, bool suiteSparse)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Columns).ToArray());
        var (result, x, solver) = Solve(a, b, new AutoSolverOptions { Direct = new DirectSolverOptions { UseSuiteSparse = suiteSparse } });
        using (solver)
        {
            Assert.True(result.Converged, $"{name}: {result}");
            Assert.True(Reference.TrueRelativeResidual(a, x, b) <= 1e-8, $"{name}: {result.Message}");
            Assert.NotNull(solver.Choice);
            Assert.Contains("chose", result.Message);
        }
    }

    public static TheoryData<string> HardMatrices => new("west0479", "west0497", "nnc1374", "adder_dcop_05", "impcol_a", "mahindas");

    [Theory, MemberData(nameof(HardMatrices))]
    public void IterativeStrategiesAlone_SolveEveryHardMatrix_Within500Iterations(string name)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Columns).ToArray());
        var (result, x, solver) = Solve(a, b, new AutoSolverOptions { DirectFirstRows = 0, IterationsPerAttempt = 500 });
        using (solver)
        {
            Assert.True(result.Converged, $"{name}: {result.Message}");
            Assert.NotEqual(AutoStrategyKind.Direct, solver.Choice!.Kind);
            Assert.True(result.Iterations <= 500, $"{name}: {result.Iterations} iterations");
            Assert.True(Reference.TrueRelativeResidual(a, x, b) <= 1e-8);
            // Matching and scaling are what make ILUTP work on these; only nnc1374 needs ILUTP on A as given.
            Assert.Equal(name == "nnc1374" ? AutoStrategyKind.IlutpGmres : AutoStrategyKind.MatchedIlutpGmres, solver.Choice.Kind);
        }
    }

    [Fact]
    public void WithoutTheDirectSolver_FirstSpdStrategyIsAmg_AndItSolves()
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("ani4"));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Columns).ToArray());
        var (result, x, solver) = Solve(a, b, new AutoSolverOptions { DirectFirstRows = 0 });
        using (solver)
        {
            Assert.Equal(AutoStrategyKind.AmgPcg, solver.Plan[0].Kind);
            Assert.Equal(AutoStrategyKind.Direct, solver.Plan[^1].Kind);
            Assert.True(result.Converged, result.Message);
            Assert.Equal(AutoStrategyKind.AmgPcg, solver.Choice!.Kind);
            Assert.True(Reference.TrueRelativeResidual(a, x, b) <= 1e-8);
        }
    }

    [Fact]
    public void IterativeStrategiesFail_OnASymmetricIndefiniteMatrix_ThenTheDirectSolverSolvesIt()
    {
        // Symmetric with a positive diagonal (it looks SPD) but indefinite: [[1, 2], [2, 1]] blocks, coupled weakly.
        int n = 300;
        var t = new TripletBuilder(n, n);
        for (int i = 0; i < n; i += 2)
        {
            t.Add(i, i, 1); t.Add(i + 1, i + 1, 1); t.Add(i, i + 1, 2); t.Add(i + 1, i, 2);
            if (i + 2 < n) { t.Add(i, i + 2, 0.1); t.Add(i + 2, i, 0.1); }
        }
        var a = t.ToCsr();
        var b = RandomSystems.Vector(n, seed: 3);
        var (result, x, solver) = Solve(a, b, new AutoSolverOptions { DirectFirstRows = 0 });
        using (solver)
        {
            Assert.True(result.Converged, result.Message);
            Assert.Equal(AutoStrategyKind.Direct, solver.Choice!.Kind);
            Assert.Equal(solver.Plan.Count, solver.Attempts.Count);
            Assert.All(solver.Attempts.SkipLast(1), attempt => Assert.False(attempt.Succeeded));
            Assert.True(Reference.TrueRelativeResidual(a, x, b) <= 1e-8);

            // The next right-hand side goes straight to the method that worked.
            var b2 = RandomSystems.Vector(n, seed: 4);
            var x2 = new double[n];
            using var db = Cpu.Upload(b2);
            using var dx = Cpu.Upload(x2);
            Assert.True(solver.Solve(db, dx).Converged);
            Assert.Single(solver.Attempts);
            Assert.Equal(AutoStrategyKind.Direct, solver.Attempts[0].Strategy.Kind);
        }
    }

    [Fact]
    public void AFactorizationAboveTheFlopCap_IsNotTried_AndSaysWhy()
    {
        var a = LearnedSolvers.Problems.Poisson.TwoD(20).Matrix;
        var b = RandomSystems.Vector(a.Rows, seed: 5);
        var (result, _, solver) = Solve(a, b, new AutoSolverOptions { DirectFirstFlops = 0, DirectMaxFlops = 1, IterationsPerAttempt = 1 });
        using (solver)
        {
            Assert.False(result.Converged);
            var direct = Assert.Single(solver.Attempts, attempt => attempt.Strategy.Kind == AutoStrategyKind.Direct);
            Assert.Null(direct.Result);
            Assert.Contains("DirectMaxFlops", direct.SetupError);
        }
    }

    [Fact]
    public void SingularMatrix_EndsWithSingular_NotNaN()
    {
        var a = RandomSystems.Nonsymmetric(80, seed: 2);
        var values = (double[])a.Values.Clone();
        for (int k = a.RowPointers[5]; k < a.RowPointers[6]; k++) values[k] = 0;
        var singular = a.WithValues(values);
        var b = RandomSystems.Vector(80, seed: 1);
        var (result, x, solver) = Solve(singular, b, new AutoSolverOptions { IterationsPerAttempt = 200 });
        using (solver)
        {
            Assert.False(result.Converged);
            Assert.Equal(StopReason.Singular, result.Reason);
            Assert.Contains(solver.Attempts, attempt => attempt.Result?.Reason == StopReason.Singular);
            Assert.All(x, v => Assert.True(double.IsFinite(v)));
        }
    }

    [Fact]
    public void Properties_SayWhatTheMatrixIs()
    {
        var spd = MatrixProperties.Of(RandomSystems.Spd(50, seed: 1));
        Assert.True(spd.IsSymmetric);
        Assert.Equal(Definiteness.PositiveDefinite, spd.Definiteness);
        var west = MatrixProperties.Of(MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("west0479")));
        Assert.False(west.IsSymmetric);
        Assert.True(west.ZeroDiagonals > 0);
        Assert.Equal(Definiteness.NotSymmetric, west.Definiteness);
        var bus = MatrixProperties.Of(MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("1138_bus")));
        Assert.True(bus.LooksSpd);
        var busMatrix = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("1138_bus"));
        Assert.Equal(AutoStrategyKind.Direct, AutoPlan.For(bus, new AutoSolverOptions(), FactorEstimate.Of(busMatrix))[0].Kind);
        Assert.Equal(AutoStrategyKind.AmgPcg, AutoPlan.For(bus, new AutoSolverOptions(), estimate: null)[0].Kind);
        Assert.Equal(AutoStrategyKind.MatchedIlutpGmres, AutoPlan.For(west, new AutoSolverOptions { DirectFirstRows = 0 }, estimate: null)[0].Kind);
    }

    [Fact]
    public void TheDirectSolverGoesFirst_OnlyWhereItsFactorizationIsCheap()
    {
        // 2D Poisson 100² factors in milliseconds; 3D Poisson 36³ (46,656 rows) takes seconds, where AMG-PCG takes tens of ms.
        var flat = LearnedSolvers.Problems.Poisson.TwoD(100).Matrix;
        var cube = LearnedSolvers.Problems.Poisson.ThreeD(36).Matrix;
        var options = new AutoSolverOptions();
        var flatEstimate = FactorEstimate.Of(flat);
        var cubeEstimate = FactorEstimate.Of(cube);
        Assert.True(cubeEstimate.CholeskyFlops > 20 * flatEstimate.CholeskyFlops);
        Assert.Equal(AutoStrategyKind.Direct, AutoPlan.For(MatrixProperties.Of(flat), options, flatEstimate)[0].Kind);
        var cubePlan = AutoPlan.For(MatrixProperties.Of(cube), options, cubeEstimate);
        Assert.Equal(AutoStrategyKind.AmgPcg, cubePlan[0].Kind);
        Assert.Equal(AutoStrategyKind.Direct, cubePlan[^1].Kind);
    }

    [Fact]
    public void FactorEstimate_CountsWhatTheCholeskyFactorStores()
    {
        var a = RandomSystems.Spd(401, seed: 7);
        var estimate = FactorEstimate.Of(a);
        using var cholesky = LearnedSolvers.Direct.Managed.ManagedSparseCholesky.Factor(a);
        Assert.Equal(cholesky.FactorNonZeros, estimate.CholeskyNonZeros);
        Assert.True(estimate.CholeskyFlops >= estimate.CholeskyNonZeros);
    }

    private static (SolveResult Result, double[] X, AutoSolver Solver) Solve(CsrMatrix a, double[] b, AutoSolverOptions options)
    {
        var da = Cpu.Upload(a);
        var solver = new AutoSolver(da, options);
        using var db = Cpu.Upload(b);
        using var dx = Cpu.Allocate(a.Rows);
        var result = solver.Solve(db, dx);
        return (result, dx.ToArray(), solver);
    }
}
