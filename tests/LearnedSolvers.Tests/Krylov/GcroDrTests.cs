using System.Globalization;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

public class GcroDrTests
{
    private static readonly Device Cpu = Device.Cpu;

    // The iteration-count tests run the paper's algorithm (the space refreshed after every cycle: RecycleUpdateInterval = 1);
    // the default interval trades a few iterations for time and is exercised through SequenceSolver.

    /// <summary>The sequence of the recycling tests: 576 unknowns, contrast 100, ten members 0.1 apart around one base field.</summary>
    private static readonly DiffusionOptions SequenceBase = new() { GridSize = 24, TargetContrast = 1e2, Seed = 21 };

    public static TheoryData<bool, bool, int, int> EquivalenceCases => new()
    {
        { false, false, 300, 1 }, { false, true, 300, 2 }, { true, false, 400, 3 }, { true, true, 400, 4 }, { false, false, 7, 5 },
    };

    [Theory, MemberData(nameof(EquivalenceCases))]
    public void GcroDr_WithoutRecycling_MatchesGmres_IterationForIteration(bool spd, bool jacobi, int n, int seed)
    {
        const int restart = 10;
        var a = spd ? RandomSystems.Spd(n, seed, dominance: 0.9) : RandomSystems.Nonsymmetric(n, seed, dominance: 0.7);
        var b = Cpu.Upload(RandomSystems.Vector(n, seed + 100));
        var options = new SolverOptions(RelativeTolerance: 1e-10);
        var xg = Cpu.Allocate(n);
        var xr = Cpu.Allocate(n);
        var gmres = new Gmres(Cpu.Upload(a), jacobi ? new Jacobi(a) : null, options, restart).Solve(b, xg);
        var gcrodr = new GcroDr(Cpu.Upload(a), jacobi ? new Jacobi(a) : null, options, restart, recycle: 0).Solve(b, xr);

        Assert.True(gmres.Converged, gmres.ToString());
        Assert.True(n < 50 || gmres.Iterations > 2 * restart, $"Only {gmres.Iterations} iterations: the test needs restarts.");
        Assert.Equal(gmres.Reason, gcrodr.Reason);
        Assert.Equal(gmres.Iterations, gcrodr.Iterations);
        Assert.Equal(gmres.ResidualHistory.Count, gcrodr.ResidualHistory.Count);
        for (int i = 0; i < gmres.ResidualHistory.Count; i++)
        {
            double g = gmres.ResidualHistory[i], r = gcrodr.ResidualHistory[i];
            Assert.True(Math.Abs(g - r) <= 1e-10 * g, $"History differs at {i}: {g:E10} vs {r:E10}.");
        }
        Assert.True(Reference.RelativeMaxError(xr.ToArray(), xg.ToArray()) < 1e-10);
    }

    public static TheoryData<int, int> DirectSolveCases => new()
    {
        { 1, 1 }, { 2, 2 }, { 10, 3 }, { 137, 4 }, { 500, 5 }, { 500, 8 },
    };

    [Theory, MemberData(nameof(DirectSolveCases))]
    public void GcroDr_MatchesDirectSolve_WithAndWithoutJacobi(int n, int seed)
    {
        foreach (bool spd in new[] { false, true })
        {
            var s = spd ? SolvedSystems.Spd(n, seed) : SolvedSystems.Nonsymmetric(n, seed);
            foreach (var m in new IPreconditioner?[] { null, new Jacobi(s.A) })
            {
                var x = Cpu.Upload(RandomSystems.Vector(n, seed + 300));
                var solver = new GcroDr(Cpu.Upload(s.A), m, new SolverOptions(RelativeTolerance: 1e-13), restart: 12, recycle: 5) { RecycleUpdateInterval = 1 };
                var result = solver.Solve(Cpu.Upload(s.B), x);
                Assert.True(result.Converged, result.ToString());
                Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-8, result.ToString());
                Assert.Equal(result.Iterations + 1, result.ResidualHistory.Count);
            }
        }
    }

    [Theory]
    [InlineData(false, 10, 0.55)]   // measured 2598 GMRES(40) vs 1047 GCRO-DR(40, 10) iterations: 0.40
    [InlineData(true, 10, 0.65)]    // with Jacobi, refreshed per member: 1335 vs 672: 0.50
    public void GcroDr_OnDiffusionSequence_MeetsTolerance_KeepsSpaceOrthonormal_AndBeatsGmres(bool jacobi, int recycle, double maxRatio)
    {
        var systems = ParametricFamily.Diffusion(SequenceBase, count: 10, perturbation: 0.1, seed: 5).ToList();
        var options = new SolverOptions(RelativeTolerance: 1e-8);
        GcroDr? solver = null;
        int gmresTotal = 0, recycledTotal = 0;
        var log = new List<string>();
        foreach (var s in systems)
        {
            var a = Cpu.Upload(s.Matrix);
            var b = Cpu.Upload(s.RightHandSide);
            var m = jacobi ? new Jacobi(s.Matrix) : null;
            var gmres = new Gmres(a, m, options, restart: 40).Solve(b, Cpu.Allocate(s.Size));
            Assert.True(gmres.Converged, gmres.ToString());
            gmresTotal += gmres.Iterations;

            if (solver is null) solver = new GcroDr(a, m, options, restart: 40, recycle: recycle) { RecycleUpdateInterval = 1 };
            else solver.UpdateOperator(a, m);
            var x = Cpu.Allocate(s.Size);
            var result = solver.Solve(b, x);
            recycledTotal += result.Iterations;
            log.Add(string.Create(CultureInfo.InvariantCulture, $"{gmres.Iterations}/{result.Iterations}"));

            Assert.True(result.Converged, result.ToString());
            double trueResidual = Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide);
            Assert.True(trueResidual <= 1e-8 * (1 + 1e-9), $"{trueResidual:E3}: {result}");
            Assert.InRange(solver.RecycleDimension, recycle - 1, recycle + 1);
            Assert.True(solver.OrthonormalityDefect() <= 1e-10, $"C_kᵀC_k − I = {solver.OrthonormalityDefect():E3}");
            Assert.True(solver.RecycleRelationDefect() <= 1e-9, $"A M U_k − C_k = {solver.RecycleRelationDefect():E3}");
            Assert.True(solver.MatrixVectorProducts > result.Iterations, "Every iteration costs one product with A.");
        }
        double ratio = (double)recycledTotal / gmresTotal;
        Assert.True(ratio <= maxRatio, $"GCRO-DR/GMRES iterations {recycledTotal}/{gmresTotal} = {ratio:F3} (per system {string.Join(' ', log)}).");
    }

    [Fact]
    public void GcroDr_OnConvectionDiffusionSweep_HandlesComplexHarmonicRitzPairs_AndBeatsGmres()
    {
        // Rotating wind, Pe = 50 … 140 on 24 x 24: nonsymmetric, so harmonic Ritz values come in complex pairs and the
        // space holds k + 1 vectors whenever the k-th value opens a pair. Measured: GMRES(20) 5373, GCRO-DR(20, 8) 1192.
        var options = new SolverOptions(RelativeTolerance: 1e-8);
        var family = ParametricFamily.ConvectionDiffusion(new ConvectionDiffusionOptions { GridSize = 24, Wind = WindKind.Rotating },
            Enumerable.Range(0, 10).Select(i => 50.0 + 10 * i));
        GcroDr? solver = null;
        int gmresTotal = 0, recycledTotal = 0;
        var dimensions = new HashSet<int>();
        foreach (var s in family)
        {
            var a = Cpu.Upload(s.Matrix);
            var b = Cpu.Upload(s.RightHandSide);
            var gmres = new Gmres(a, null, options, restart: 20).Solve(b, Cpu.Allocate(s.Size));
            Assert.True(gmres.Converged, gmres.ToString());
            gmresTotal += gmres.Iterations;
            if (solver is null) solver = new GcroDr(a, null, options, restart: 20, recycle: 8) { RecycleUpdateInterval = 1 };
            else solver.UpdateOperator(a);
            var x = Cpu.Allocate(s.Size);
            var result = solver.Solve(b, x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8 * (1 + 1e-9));
            Assert.True(solver.OrthonormalityDefect() <= 1e-10, $"{solver.OrthonormalityDefect():E3}");
            recycledTotal += result.Iterations;
            dimensions.Add(solver.RecycleDimension);
        }
        Assert.Subset(new HashSet<int> { 7, 8, 9 }, dimensions);
        Assert.Contains(9, dimensions);
        Assert.True(recycledTotal <= 0.35 * gmresTotal, $"{recycledTotal} vs {gmresTotal}");
    }

    [Fact]
    public void GcroDr_SameMatrix_NewRightHandSides_ReuseTheSpace()
    {
        var system = ParametricFamily.Diffusion(SequenceBase, count: 1, perturbation: 0, seed: 1).Single();
        var a = Cpu.Upload(system.Matrix);
        var solver = new GcroDr(a, options: new SolverOptions(RelativeTolerance: 1e-8), restart: 40, recycle: 10) { RecycleUpdateInterval = 1 };
        Assert.Equal(0, solver.RecycleDimension);
        var iterations = new List<int>();
        foreach (var member in ParametricFamily.RightHandSides(system, count: 3, seed: 7))
        {
            var x = Cpu.Allocate(system.Size);
            var result = solver.Solve(Cpu.Upload(member.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(system.Matrix, x.ToArray(), member.RightHandSide) <= 1e-8 * (1 + 1e-9));
            iterations.Add(result.Iterations);
        }
        Assert.True(iterations[1] < iterations[0] && iterations[2] < iterations[0], $"Iterations {string.Join(", ", iterations)}.");
    }

    [Fact]
    public void GcroDr_ResetRecycleSpace_StartsAgainAsTheFirstSolve()
    {
        var a = RandomSystems.Nonsymmetric(300, 11, dominance: 0.7);
        var b = Cpu.Upload(RandomSystems.Vector(300, 12));
        var solver = new GcroDr(Cpu.Upload(a), options: new SolverOptions(RelativeTolerance: 1e-10), restart: 15, recycle: 5) { RecycleUpdateInterval = 1 };
        var first = solver.Solve(b, Cpu.Allocate(300));
        Assert.InRange(solver.RecycleDimension, 4, 6);
        var second = solver.Solve(b, Cpu.Allocate(300));
        Assert.True(second.Iterations < first.Iterations, $"{second.Iterations} vs {first.Iterations}");
        solver.ResetRecycleSpace();
        Assert.Equal(0, solver.RecycleDimension);
        var third = solver.Solve(b, Cpu.Allocate(300));
        Assert.Equal(first.Iterations, third.Iterations);
        Assert.Equal(first.ResidualHistory, third.ResidualHistory);
    }

    [Fact]
    public void GcroDr_DeflatedRestarting_BeatsGmres_OnOneHardSystem()
    {
        // Within a single solve the recycle space already deflates the small eigenvalues that stall GMRES(m).
        var system = ParametricFamily.Diffusion(SequenceBase, count: 1, perturbation: 0, seed: 1).Single();
        var a = Cpu.Upload(system.Matrix);
        var b = Cpu.Upload(system.RightHandSide);
        var options = new SolverOptions(RelativeTolerance: 1e-8);
        var gmres = new Gmres(a, null, options, restart: 40).Solve(b, Cpu.Allocate(system.Size));
        var gcrodr = new GcroDr(a, null, options, restart: 40, recycle: 10) { RecycleUpdateInterval = 1 }.Solve(b, Cpu.Allocate(system.Size));
        Assert.True(gmres.Converged && gcrodr.Converged, $"{gmres} / {gcrodr}");
        Assert.True(gcrodr.Iterations < 0.8 * gmres.Iterations, $"{gcrodr.Iterations} vs {gmres.Iterations}");
    }

    [Fact]
    public void GcroDr_NewPreconditionerOnly_RebuildsTheSpace()
    {
        var a = RandomSystems.Nonsymmetric(300, 13, dominance: 0.7);
        var op = Cpu.Upload(a);
        var b = Cpu.Upload(RandomSystems.Vector(300, 14));
        var solver = new GcroDr(op, options: new SolverOptions(RelativeTolerance: 1e-10), restart: 15, recycle: 5) { RecycleUpdateInterval = 1 };
        Assert.True(solver.Solve(b, Cpu.Allocate(300)).Converged);
        solver.UpdateOperator(op, new Jacobi(a));
        var x = Cpu.Allocate(300);
        var result = solver.Solve(b, x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b.ToArray()) <= 1e-10 * (1 + 1e-9));
        Assert.True(solver.RecycleRelationDefect() <= 1e-10, $"{solver.RecycleRelationDefect():E3}");
        Assert.True(solver.OrthonormalityDefect() <= 1e-12, $"{solver.OrthonormalityDefect():E3}");
    }

    [Fact]
    public void GcroDr_WithoutRecycling_WarmSolve_AllocatesOnlyTheResult()
    {
        var a = RandomSystems.Nonsymmetric(20_000, 4);
        var b = Cpu.Upload(RandomSystems.Vector(20_000, 5));
        var x = Cpu.Allocate(20_000);
        var solver = new GcroDr(Cpu.Upload(a), new Jacobi(a), new SolverOptions(RecordHistory: false), restart: 10, recycle: 0);
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

    [Fact]
    public void GcroDr_StopsAtMaxIterations_WithHistory()
    {
        var a = RandomSystems.Nonsymmetric(400, 8, dominance: 0.5);
        var solver = new GcroDr(Cpu.Upload(a), options: new SolverOptions(MaxIterations: 17), restart: 6, recycle: 2);
        var result = solver.Solve(Cpu.Upload(RandomSystems.Vector(400, 9)), Cpu.Allocate(400));
        Assert.Equal(StopReason.MaxIterations, result.Reason);
        Assert.Equal(17, result.Iterations);
        Assert.Equal(18, result.ResidualHistory.Count);
        Assert.Equal(result.ResidualHistory[^1], result.RelativeResidual, 1e-10);
    }

    [Fact]
    public void GcroDr_ZeroRightHandSide_AndNaN()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var x = Cpu.Upload(RandomSystems.Vector(20, 2));
        var solver = new GcroDr(Cpu.Upload(a), restart: 8, recycle: 3);
        Assert.True(solver.Solve(Cpu.Allocate(20), x).Converged);
        Assert.All(x.ToArray(), v => Assert.Equal(0.0, v));
        var b = RandomSystems.Vector(20, 2);
        b[5] = double.NaN;
        Assert.Equal(StopReason.NaNOrInfinity, solver.Solve(Cpu.Upload(b), x).Reason);
    }

    [Fact]
    public void GcroDr_ReportsBreakdown_WhenOperatorIsSingularOnKrylovSpace()
    {
        var builder = new TripletBuilder(2, 2);
        builder.Add(0, 0, 1);
        builder.Add(1, 1, 0);
        var result = new GcroDr(Cpu.Upload(builder.ToCsr()), restart: 2, recycle: 1).Solve(Cpu.Upload([0.0, 1.0]), Cpu.Allocate(2));
        Assert.Equal(StopReason.Breakdown, result.Reason);
    }

    [Fact]
    public void GcroDr_RejectsBadArguments()
    {
        var a = RandomSystems.Nonsymmetric(20, 1);
        var op = Cpu.Upload(a);
        Assert.Equal("recycle", Assert.Throws<ArgumentOutOfRangeException>(() => new GcroDr(op, restart: 10, recycle: 10)).ParamName);
        Assert.Equal("recycle", Assert.Throws<ArgumentOutOfRangeException>(() => new GcroDr(op, restart: 10, recycle: 11)).ParamName);
        Assert.Equal("recycle", Assert.Throws<ArgumentOutOfRangeException>(() => new GcroDr(op, restart: 10, recycle: -1)).ParamName);
        Assert.Equal("restart", Assert.Throws<ArgumentOutOfRangeException>(() => new GcroDr(op, restart: 0, recycle: 0)).ParamName);

        var rectangular = new TripletBuilder(3, 4);
        rectangular.Add(0, 0, 1);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => new GcroDr(Cpu.Upload(rectangular.ToCsr()), restart: 3, recycle: 1)).ParamName);

        var nonlinear = Assert.Throws<ArgumentException>(() => new GcroDr(op, new VariableJacobiSweeps(a), restart: 10, recycle: 2));
        Assert.Equal("preconditioner", nonlinear.ParamName);
        Assert.Contains(nameof(FlexibleGmres), nonlinear.Message);

        var solver = new GcroDr(op, restart: 10, recycle: 2);
        var other = RandomSystems.Nonsymmetric(21, 2);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => solver.UpdateOperator(Cpu.Upload(other))).ParamName);
        Assert.Equal("preconditioner", Assert.Throws<ArgumentException>(() => solver.UpdateOperator(op, new VariableJacobiSweeps(a))).ParamName);
        Assert.Equal("preconditioner", Assert.Throws<ArgumentException>(() => solver.UpdateOperator(op, new Jacobi(other))).ParamName);
        Assert.Throws<ArgumentNullException>(() => solver.UpdateOperator(null!));
    }

    [Fact]
    public void KrylovSolvers_ParsesAndCreatesGcroDr_CappingTheRecycleDimension()
    {
        Assert.Equal(KrylovMethod.GcroDr, KrylovSolvers.Parse("gcrodr"));
        Assert.Equal(KrylovMethod.GcroDr, KrylovSolvers.Parse("GCRODR"));
        var op = Cpu.Upload(RandomSystems.Nonsymmetric(50, 3));
        var solver = Assert.IsType<GcroDr>(KrylovSolvers.Create(KrylovMethod.GcroDr, op, restart: 30, recycle: 12));
        Assert.Equal((30, 12), (solver.Restart, solver.Recycle));
        var capped = Assert.IsType<GcroDr>(KrylovSolvers.Create(KrylovMethod.GcroDr, op, restart: 8));
        Assert.Equal(7, capped.Recycle);
    }

    [Fact]
    public void HarmonicRitz_KeepsComplexPairsTogether()
    {
        // G = [A; 0] with W = [I; 0]: G⁺W = A⁻¹, so the harmonic Ritz values are A's eigenvalues 0.5 ± 0.5i, 2, 3.
        const int n = 4, ld = n + 1;
        var g = new double[ld * n];
        var w = new double[ld * n];
        void Set(double[] m, int i, int j, double v) => m[j * ld + i] = v;
        Set(g, 0, 0, 2);
        Set(g, 1, 1, 0.5); Set(g, 1, 2, -0.5); Set(g, 2, 1, 0.5); Set(g, 2, 2, 0.5);
        Set(g, 3, 3, 3);
        for (int i = 0; i < n; i++) Set(w, i, i, 1);
        var p = new double[n * n];

        Assert.Equal(2, SmallDense.SmallestHarmonicRitzVectors(g, w, ld, n, ld, want: 1, cap: 2, p, n));
        AssertSpansOnly(p, n, 2, 1, 2);
        Assert.Equal(0, SmallDense.SmallestHarmonicRitzVectors(g, w, ld, n, ld, want: 1, cap: 1, p, n));
        Assert.Equal(2, SmallDense.SmallestHarmonicRitzVectors(g, w, ld, n, ld, want: 2, cap: 3, p, n));
        Assert.Equal(3, SmallDense.SmallestHarmonicRitzVectors(g, w, ld, n, ld, want: 3, cap: 3, p, n));
        AssertSpansOnly(p, n, 3, 0, 1, 2);
    }

    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(41, 10, 2)]
    [InlineData(21, 20, 3)]
    public void ThinQr_ReproducesTheMatrix_WithOrthonormalQ(int rows, int cols, int seed)
    {
        var a = RandomSystems.Vector(rows * cols, seed);
        var q = new double[rows * cols];
        var r = new double[cols * cols];
        Assert.True(SmallDense.ThinQr(a, rows, cols, rows, q, rows, r, cols));
        var qr = new double[rows * cols];
        SmallDense.Multiply(q, rows, r, cols, rows, cols, cols, qr, rows);
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], qr[i], 1e-13);
        for (int i = 0; i < cols; i++)
            for (int j = 0; j < cols; j++)
            {
                double dot = 0;
                for (int l = 0; l < rows; l++) dot += q[i * rows + l] * q[j * rows + l];
                Assert.Equal(i == j ? 1 : 0, dot, 1e-13);
                if (i > j) Assert.Equal(0.0, r[j * cols + i]);
            }
        var dependent = (double[])a.Clone();
        if (cols > 1)
        {
            Array.Copy(a, 0, dependent, (cols - 1) * rows, rows); // last column = first column
            Assert.False(SmallDense.ThinQr(dependent, rows, cols, rows, q, rows, r, cols));
        }
    }

    /// <summary>The first <paramref name="count"/> columns of p have no component outside the given coordinates, and span them.</summary>
    private static void AssertSpansOnly(double[] p, int n, int count, params int[] coordinates)
    {
        var block = new MathNet.Numerics.LinearAlgebra.Double.DenseMatrix(coordinates.Length, count);
        for (int j = 0; j < count; j++)
        {
            for (int i = 0; i < n; i++)
                if (Array.IndexOf(coordinates, i) < 0) Assert.True(Math.Abs(p[j * n + i]) < 1e-12, $"p[{i},{j}] = {p[j * n + i]}");
            for (int c = 0; c < coordinates.Length; c++) block[c, j] = p[j * n + coordinates[c]];
        }
        Assert.Equal(coordinates.Length, block.Rank());
    }

    [Fact]
    public void DefaultInterval_StillRecycles_AndRejectsAZeroInterval()
    {
        var systems = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 24, TargetContrast = 100, Seed = 21 }, 6, 0.1, 5).ToList();
        var options = new SolverOptions(RelativeTolerance: 1e-8);
        long Total(Func<DeviceCsrMatrix, KrylovSolver> create)
        {
            KrylovSolver? solver = null;
            long iterations = 0;
            foreach (var s in systems)
            {
                var a = Cpu.Upload(s.Matrix);
                if (solver is GcroDr g) g.UpdateOperator(a);
                else solver = create(a);
                var x = Cpu.Allocate(s.Size);
                var result = solver.Solve(Cpu.Upload(s.RightHandSide), x);
                Assert.True(result.Converged, result.ToString());
                Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
                iterations += result.Iterations;
                if (solver is not GcroDr) solver = null;
            }
            return iterations;
        }
        long gmres = Total(a => new Gmres(a, null, options, 40));
        long recycled = Total(a => new GcroDr(a, null, options, 40, 10));
        Assert.Equal(8, new GcroDr(Cpu.Upload(systems[0].Matrix), restart: 40, recycle: 10).RecycleUpdateInterval);
        Assert.True(recycled < gmres, $"GCRO-DR {recycled} vs GMRES {gmres}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new GcroDr(Cpu.Upload(systems[0].Matrix)) { RecycleUpdateInterval = 0 });
    }

    /// <summary>
    /// A warm solve with a recycled space allocates nothing per iteration: what it allocates (the result and the one
    /// recycle-space update after the last cycle, whose small dense eigenproblem MathNet solves) does not grow when a
    /// tighter tolerance takes several times the iterations.
    /// </summary>
    [Fact]
    public void WarmSolve_WithARecycledSpace_AllocatesNothingPerIteration()
    {
        var a = Poisson.TwoD(120).Matrix;
        var b = Cpu.Upload(Enumerable.Range(0, a.Rows).Select(i => Math.Sin(i + 1.0)).ToArray());
        var x = Cpu.Allocate(a.Rows);
        (SolveResult Result, long Bytes) Warm(double rtol)
        {
            var solver = new GcroDr(Cpu.Upload(a), null, new SolverOptions(RelativeTolerance: rtol, RecordHistory: false), restart: 10, recycle: 4)
            {
                RecycleUpdateInterval = int.MaxValue,
            };
            solver.Solve(b, x);
            return Allocations.Least(() =>
            {
                Cpu.Fill(x, 0);
                return solver.Solve(b, x);
            });
        }
        var (loose, looseBytes) = Warm(1e-4);
        var (tight, tightBytes) = Warm(1e-10);
        Assert.True(loose.Converged && tight.Converged, $"{loose}; {tight}");
        Assert.True(tight.Iterations > 2 * loose.Iterations, $"{loose.Iterations} and {tight.Iterations} iterations");
        Assert.True(tightBytes < looseBytes + 512,
            $"{looseBytes} bytes over {loose.Iterations} iterations, {tightBytes} over {tight.Iterations}: the solve allocates per iteration");
        Assert.True(tightBytes < 16_384, $"{tightBytes} bytes over {tight.Iterations} iterations");
    }
}
