using LearnedSolvers.Direct;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

/// <summary>
/// The <see cref="ISparseFactorization"/> contract, written once and run per SuiteSparse backend: accuracy on every
/// shared matrix and against a dense LU on random odd sizes, refactorization, typed errors for singular matrices, the
/// memory limit, pattern mismatch and disposal, and an allocation-free warm solve. Skipped where the backend's library
/// is not loaded (<see cref="SuiteSparseLibrary"/>).
/// </summary>
public abstract class SuiteSparseFactorizationTests
{
    protected abstract SuiteSparseComponent Component { get; }

    /// <summary>True for Cholesky: the backend factors symmetric positive definite matrices only.</summary>
    protected abstract bool SpdOnly { get; }

    protected abstract ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null);

    public static TheoryData<string> SharedMatrixNames => new(SharedMatrices.Index().Select(m => m.Name));

    public static TheoryData<int> OddSizes => [1, 2, 7, 97, 301];

    public static TheoryData<DirectOrdering> Orderings => new(Enum.GetValues<DirectOrdering>());

    protected void RequireBackend() =>
        Assert.SkipUnless(Component.IsAvailable, $"SuiteSparse {Component.Name} is not available: {Component.UnavailableReason}");

    protected CsrMatrix RandomMatrix(int n, int seed) => SpdOnly ? RandomSystems.Spd(n, seed) : RandomSystems.Nonsymmetric(n, seed);

    protected double[] SolveWith(ISparseFactorization f, double[] b)
    {
        var x = new double[b.Length];
        f.Solve(b, x);
        return x;
    }

    [Theory, MemberData(nameof(SharedMatrixNames))]
    public void SharedMatrix_SolvesToResidual1e12_OrRejectsWhatItCannotFactor(string name)
    {
        RequireBackend();
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray());
        bool spd = SharedMatrices.Index().Single(m => m.Name == name).Spd;
        if (SpdOnly && !spd)
        {
            // Cholesky must refuse in the user's terms, never return a wrong answer.
            var e = Record.Exception(() => Factor(a).Dispose());
            Assert.True(e is ArgumentException || e is SingularMatrixException { NotPositiveDefinite: true },
                $"{name}: expected a typed refusal, got {e?.GetType().Name ?? "success"}");
            return;
        }
        using var f = Factor(a);
        Assert.Equal(a.Rows, f.Size);
        Assert.True(f.FactorNonZeros >= a.Rows, $"{name}: {f.FactorNonZeros} factor entries for {a.Rows} rows");
        double residual = Reference.TrueRelativeResidual(a, SolveWith(f, b), b);
        Assert.True(residual <= 1e-12, $"{name}: ‖b − Ax‖/‖b‖ = {residual:E2}");
    }

    [Theory, MemberData(nameof(OddSizes))]
    public void RandomOddSize_MatchesDenseLu(int n)
    {
        RequireBackend();
        var a = RandomMatrix(n, 100 + n);
        var b = RandomSystems.Vector(n, 200 + n);
        using var f = Factor(a);
        Assert.True(Reference.RelativeMaxError(SolveWith(f, b), Reference.DenseSolve(a, b)) < 1e-12);
    }

    [Theory, MemberData(nameof(Orderings))]
    public void EveryOrdering_Solves(DirectOrdering ordering)
    {
        RequireBackend();
        var a = RandomMatrix(243, 7);
        var b = RandomSystems.Vector(243, 8);
        using var f = Factor(a, new DirectSolverOptions { Ordering = ordering });
        Assert.True(Reference.RelativeMaxError(SolveWith(f, b), Reference.DenseSolve(a, b)) < 1e-12);
    }

    [Fact]
    public void WithoutRefinement_StillSolvesAWellConditionedMatrix()
    {
        RequireBackend();
        var a = RandomMatrix(150, 9);
        var b = RandomSystems.Vector(150, 10);
        using var f = Factor(a, new DirectSolverOptions { RefinementSteps = 0 });
        Assert.True(Reference.RelativeMaxError(SolveWith(f, b), Reference.DenseSolve(a, b)) < 1e-12);
    }

    [Fact]
    public void Solve_InPlace_WhenBAndXAreTheSameArray()
    {
        RequireBackend();
        var a = RandomMatrix(120, 11);
        var b = RandomSystems.Vector(120, 12);
        var expected = Reference.DenseSolve(a, b);
        using var f = Factor(a);
        var bx = (double[])b.Clone();
        f.Solve(bx, bx);
        Assert.True(Reference.RelativeMaxError(bx, expected) < 1e-12);
    }

    [Fact]
    public void Refactor_WithNewValuesOnThePattern_GivesTheNewSolution()
    {
        RequireBackend();
        var a = RandomMatrix(200, 13);
        var values = a.Values.Select((v, k) => v * (1 + 0.3 * Math.Sin(k))).ToArray();
        if (SpdOnly) values = RandomSystems.Spd(200, 13).Values.Select(v => v * 2.5).ToArray();
        var a2 = a.WithValues(values);
        var b = RandomSystems.Vector(200, 14);
        using var f = Factor(a);
        var before = SolveWith(f, b);
        f.Refactor(a2);
        var after = SolveWith(f, b);
        Assert.True(Reference.RelativeMaxError(after, Reference.DenseSolve(a2, b)) < 1e-12);
        Assert.True(Reference.RelativeMaxError(before, after) > 1e-3, "the new values must change the solution");
    }

    [Fact]
    public void Refactor_WithAnotherPattern_ThrowsArgumentException()
    {
        RequireBackend();
        using var f = Factor(RandomMatrix(60, 15));
        Assert.Throws<ArgumentException>(() => f.Refactor(RandomMatrix(60, 16)));
        Assert.Throws<ArgumentException>(() => f.Refactor(RandomMatrix(61, 15)));
    }

    [Fact]
    public void ZeroRow_ThrowsSingularMatrixException_NotNaN()
    {
        RequireBackend();
        var a = RandomMatrix(40, 17);
        var values = (double[])a.Values.Clone();
        // Zero row and column 23 keeps a symmetric matrix symmetric, and is a zero row for LU.
        for (int r = 0; r < a.Rows; r++)
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
                if (r == 23 || a.ColumnIndices[k] == 23) values[k] = 0;
        var e = Assert.Throws<SingularMatrixException>(() => Factor(a.WithValues(values)).Dispose());
        Assert.Equal(SpdOnly, e.NotPositiveDefinite);
        // Cholesky meets the zero pivot in column 24 of A; LU, factoring Aᵀ, finds row 24 without a pivot.
        if (SpdOnly) Assert.Equal(23, e.Column);
        else Assert.Contains("row 24 of A", e.Message);
    }

    [Fact]
    public void RefactorToASingularMatrix_Throws_AndSolveThenRefuses_UntilAGoodRefactor()
    {
        RequireBackend();
        // Large enough for supernodal (CHOLMOD) and multifrontal (UMFPACK) paths, not only the simplicial ones.
        var a = RandomMatrix(1500, 18);
        using var f = Factor(a);
        Assert.Throws<SingularMatrixException>(() => f.Refactor(a.WithValues(new double[a.NonZeros])));
        Assert.Throws<SingularMatrixException>(() => f.Solve(new double[1500], new double[1500]));
        f.Refactor(a);
        var b = RandomSystems.Vector(1500, 19);
        Assert.True(Reference.TrueRelativeResidual(a, SolveWith(f, b), b) < 1e-13);
    }

    [Fact]
    public void TinyMemoryLimit_ThrowsFactorMemoryException_BeforeFactoring()
    {
        RequireBackend();
        var a = RandomMatrix(500, 20);
        var e = Assert.Throws<FactorMemoryException>(() => Factor(a, new DirectSolverOptions { MemoryLimitBytes = 1000 }).Dispose());
        Assert.Equal(1000, e.LimitBytes);
        Assert.True(e.EstimatedBytes > 500 * sizeof(double), $"estimate {e.EstimatedBytes} bytes");
        using var f = Factor(a, new DirectSolverOptions { MemoryLimitBytes = (long)(e.EstimatedBytes * 1.01) + 1 });
        Assert.Equal(500, f.Size);
    }

    [Fact]
    public void DisposeTwice_IsFine_AndSolveOrRefactorAfterDispose_Throw()
    {
        RequireBackend();
        var a = RandomMatrix(20, 21);
        var f = Factor(a);
        f.Dispose();
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.Solve(new double[20], new double[20]));
        Assert.Throws<ObjectDisposedException>(() => f.Refactor(a));
    }

    [Fact]
    public void BadArguments_AreNamed()
    {
        RequireBackend();
        Assert.Throws<ArgumentException>(() => Factor(CsrMatrix.FromTriplets(2, 3, [0, 1], [0, 1], [1.0, 1.0])));
        Assert.Throws<ArgumentOutOfRangeException>(() => Factor(RandomMatrix(5, 22), new DirectSolverOptions { PivotTolerance = 0 }));
        using var f = Factor(RandomMatrix(5, 22));
        Assert.Equal("x", Assert.Throws<ArgumentException>(() => f.Solve(new double[5], new double[4])).ParamName);
        var nan = new double[5];
        nan[3] = double.NaN;
        Assert.Equal("b", Assert.Throws<ArgumentException>(() => f.Solve(nan, new double[5])).ParamName);
    }

    [Fact]
    public void WarmSolve_AllocatesNothing()
    {
        RequireBackend();
        var a = RandomMatrix(400, 23);
        var b = RandomSystems.Vector(400, 24);
        var x = new double[400];
        using var f = Factor(a);
        f.Solve(b, x);
        var (_, bytes) = Allocations.Least(() => { f.Solve(b, x); return 0; });
        Assert.Equal(0, bytes);
    }
}
