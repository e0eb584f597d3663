using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Krylov;

/// <summary>
/// Every matrix in tests/data/matrices (INDEX.tsv), b = A·ones as in the SciPy reference column. SPD matrices must
/// reach a true relative residual of 1e-8 with CG and with PCG + IC(0). Nonsymmetric ones must reach it with
/// GMRES(30) + ILU(0) and with BiCGStab, or, where INDEX.tsv records that SciPy fails too, stop with the reason
/// that is actually true, checked independently here.
/// </summary>
public class SharedMatrixSolveTests
{
    private static readonly Device Cpu = Device.Cpu;
    private const double Tolerance = 1e-8;

    /// <summary>The nonsymmetric matrices whose ILU(0) and unpreconditioned Krylov methods fail (INDEX.tsv: SciPy's gmres30 and spilu fail on them).</summary>
    private static readonly HashSet<string> Hard = ["west0479", "west0497", "nnc1374", "adder_dcop_05", "impcol_a", "mahindas"];

    public static TheoryData<string> Spd => new(SharedMatrices.Index().Where(m => m.Spd).Select(m => m.Name));
    public static TheoryData<string> Solvable => new(SharedMatrices.Index().Where(m => !m.Spd && !Hard.Contains(m.Name)).Select(m => m.Name));
    public static TheoryData<string> HardOnes => new(SharedMatrices.Index().Where(m => !m.Spd && Hard.Contains(m.Name)).Select(m => m.Name));

    [Fact]
    public void TheIndexListsEveryMatrixFile_AndTheHardSetIsInIt()
    {
        var names = SharedMatrices.Index().Select(m => m.Name).ToHashSet();
        var files = Directory.GetFiles(SharedMatrices.Directory, "*.mtx").Select(f => Path.GetFileNameWithoutExtension(f)!).ToHashSet();
        Assert.Equal(files, names);
        Assert.Subset(names, Hard);
    }

    [Fact]
    public void TheMatricesAreInTheRepository_WithTheirSources()
    {
        string copy = RepositoryFiles.PathOf("tests", "data", "matrices");
        var indexed = File.ReadLines(Path.Combine(copy, "INDEX.tsv")).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')).ToList();
        Assert.NotEmpty(indexed);
        Assert.All(indexed, f => Assert.True(File.Exists(Path.Combine(copy, f[0] + ".mtx")), f[0]));
        Assert.All(indexed, f => Assert.False(string.IsNullOrWhiteSpace(f[5]), $"{f[0]} has no source"));
        Assert.True(File.Exists(Path.Combine(copy, "README.md")));
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("LEARNEDSOLVERS_MATRICES"))) Assert.Equal(copy, SharedMatrices.Directory);
    }

    [Theory, MemberData(nameof(Spd))]
    public void Spd_SolvesWithCg_AndWithIc0Pcg(string name)
    {
        var (a, b) = Load(name);
        Assert.True(a.IsSymmetric(1e-12));
        AssertSolves(a, b, new ConjugateGradient(Cpu.Upload(a), null, Options(20_000)));
        var ic = new IncompleteCholesky0(a);
        AssertSolves(a, b, new ConjugateGradient(Cpu.Upload(a), ic, Options(20_000)));
    }

    [Theory, MemberData(nameof(Solvable))]
    public void Nonsymmetric_SolvesWithIlu0Gmres_AndWithBiCgStab(string name)
    {
        var (a, b) = Load(name);
        Assert.False(a.IsSymmetric(1e-12));
        AssertSolves(a, b, new Gmres(Cpu.Upload(a), new IncompleteLu0(a), Options(20_000)));
        AssertSolves(a, b, new BiCgStab(Cpu.Upload(a), null, Options(20_000)));
    }

    /// <summary>
    /// ILU(0) needs every pivot nonzero. In these matrices a diagonal entry is zero or absent (west*, impcol_a,
    /// nnc1374, mahindas, adder_dcop_05 are unsymmetric-pattern matrices from chemical process, circuit and
    /// economic models), so the factorization must refuse at the first row whose pivot vanishes, not return
    /// NaN. The row it names is checked against the matrix itself.
    /// </summary>
    [Theory, MemberData(nameof(HardOnes))]
    public void Hard_Ilu0_RefusesWithZeroPivot_AtTheRightRow(string name)
    {
        var (a, _) = Load(name);
        var e = Assert.Throws<ZeroPivotException>(() => new IncompleteLu0(a));
        Assert.Equal(0.0, e.Pivot);
        int firstZeroDiagonal = Enumerable.Range(0, a.Rows).First(i => a[i, i] == 0);
        Assert.True(e.Row <= firstZeroDiagonal, $"the factorization went past the structurally zero pivot at row {firstZeroDiagonal}");
        if (e.Row < firstZeroDiagonal)
            Assert.NotEqual(0.0, a[e.Row, e.Row]); // then elimination cancelled a nonzero diagonal to exactly zero
    }

    /// <summary>
    /// Unpreconditioned BiCGStab does not converge on these (INDEX.tsv: SciPy's Krylov methods fail too). The
    /// solver must say so truthfully: the reported residual is the true one, Diverged only when the history really
    /// grew past the divergence tolerance, MaxIterations only when the budget is spent.
    /// </summary>
    [Theory, MemberData(nameof(HardOnes))]
    public void Hard_BiCgStab_StopsWithATrueReason(string name)
    {
        var (a, b) = Load(name);
        var options = Options(3_000);
        var x = Cpu.Allocate(a.Rows);
        var result = new BiCgStab(Cpu.Upload(a), null, options).Solve(Cpu.Upload(b), x);
        double trueResidual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
        Assert.False(result.Converged, result.ToString());
        Assert.True(trueResidual > Tolerance);
        Assert.Equal(trueResidual, result.RelativeResidual, trueResidual * 1e-6);
        switch (result.Reason)
        {
            case StopReason.Diverged:
                Assert.True(result.ResidualHistory.Max() > options.DivergenceTolerance * Math.Max(1, result.ResidualHistory[0]));
                break;
            case StopReason.MaxIterations:
                Assert.Equal(options.MaxIterations, result.Iterations);
                break;
            case StopReason.Breakdown:
                Assert.NotEmpty(result.ResidualHistory);
                break;
            default:
                Assert.Fail($"unexpected stop reason {result}");
                break;
        }
    }

    [Fact]
    public void DivergenceTest_CanBeTurnedOff_AndRejectsTolerancesUpToOne()
    {
        var (a, b) = Load("west0479");
        var options = new SolverOptions(MaxIterations: 200, DivergenceTolerance: double.PositiveInfinity);
        var result = new BiCgStab(Cpu.Upload(a), null, options).Solve(Cpu.Upload(b), Cpu.Allocate(a.Rows));
        Assert.True(result.Reason is StopReason.MaxIterations or StopReason.NaNOrInfinity or StopReason.Breakdown, result.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new BiCgStab(Cpu.Upload(a), null, new SolverOptions(DivergenceTolerance: 1)));
    }

    /// <summary>Restarted GMRES(30) without preconditioning stalls on these (SciPy: residual 0.4 on west0479 after 2000 restarts).</summary>
    [Theory]
    [InlineData("west0479")]
    [InlineData("impcol_a")]
    public void Hard_Gmres_ReportsStagnation_WithTheTrueResidual(string name)
    {
        var (a, b) = Load(name);
        var x = Cpu.Allocate(a.Rows);
        var result = new Gmres(Cpu.Upload(a), null, Options(3_000)).Solve(Cpu.Upload(b), x);
        Assert.Equal(StopReason.Stagnation, result.Reason);
        Assert.Contains("restart cycle", result.Message);
        double trueResidual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
        Assert.True(trueResidual > 1e-2);
        Assert.Equal(trueResidual, result.RelativeResidual, trueResidual * 1e-6);
    }

    private static SolverOptions Options(int maxIterations) => new(RelativeTolerance: Tolerance, MaxIterations: maxIterations);

    private static (CsrMatrix A, double[] B) Load(string name)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        return (a, Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray()));
    }

    private static void AssertSolves(CsrMatrix a, double[] b, KrylovSolver solver)
    {
        var x = Cpu.Allocate(a.Rows);
        var result = solver.Solve(Cpu.Upload(b), x);
        double trueResidual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
        Assert.True(result.Converged, $"{solver.GetType().Name}: {result}");
        Assert.True(trueResidual <= Tolerance, $"{solver.GetType().Name}: true residual {trueResidual:E3}");
        Assert.Equal(trueResidual, result.RelativeResidual, 1e-6 * Tolerance);
    }
}
