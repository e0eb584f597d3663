using LearnedSolvers.Direct;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

/// <summary>
/// What every <see cref="ISparseFactorization"/> promises, written once: each implementation subclasses it with its
/// factory and the kind of random matrix it factors (nonsymmetric for LU, SPD for Cholesky).
/// </summary>
public abstract class SparseFactorizationContract
{
    protected abstract ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null);

    /// <summary>A random nonsingular matrix this factorization accepts.</summary>
    protected abstract CsrMatrix RandomMatrix(int n, int seed);

    protected abstract DirectBackend ExpectedBackend { get; }

    private static readonly DirectSolverOptions Unrefined = new() { RefinementSteps = 0 };

    [Theory]
    [InlineData(1, 1, DirectOrdering.Natural)]
    [InlineData(2, 2, DirectOrdering.Amd)]
    [InlineData(17, 3, DirectOrdering.Natural)]
    [InlineData(17, 3, DirectOrdering.Amd)]
    [InlineData(97, 4, DirectOrdering.Natural)]
    [InlineData(97, 4, DirectOrdering.Amd)]
    [InlineData(301, 5, DirectOrdering.Auto)]
    [InlineData(301, 6, DirectOrdering.Natural)]
    public void Solve_MatchesDenseLu_OnRandomOddSizes_WithoutRefinement(int n, int seed, DirectOrdering ordering)
    {
        var a = RandomMatrix(n, seed);
        var b = RandomSystems.Vector(n, seed + 100);
        using var f = Factor(a, Unrefined with { Ordering = ordering });
        var x = new double[n];
        f.Solve(b, x);
        Assert.True(Reference.RelativeMaxError(x, Reference.DenseSolve(a, b)) < 1e-11);
        Assert.True(Reference.TrueRelativeResidual(a, x, b) < 1e-13);
        Assert.Equal(ExpectedBackend, f.Backend);
        Assert.Equal(n, f.Size);
    }

    [Fact]
    public void Orderings_GiveTheSameSolution_AndAmdStoresNoMoreThanNatural()
    {
        var a = RandomMatrix(400, 7);
        var b = RandomSystems.Vector(400, 8);
        using var natural = Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Natural });
        using var amd = Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Amd });
        var xn = new double[400];
        var xa = new double[400];
        natural.Solve(b, xn);
        amd.Solve(b, xa);
        Assert.True(Reference.RelativeMaxError(xa, xn) < 1e-12);
        Assert.True(amd.FactorNonZeros < natural.FactorNonZeros, $"AMD {amd.FactorNonZeros} vs natural {natural.FactorNonZeros} entries");
    }

    [Fact]
    public void Solve_InPlace_EqualsSolveIntoAnotherVector()
    {
        var a = RandomMatrix(123, 9);
        var b = RandomSystems.Vector(123, 10);
        using var f = Factor(a);
        var x = new double[123];
        f.Solve(b, x);
        var inPlace = (double[])b.Clone();
        f.Solve(inPlace, inPlace);
        Assert.Equal(x, inPlace);
    }

    [Fact]
    public void Refactor_WithNewValues_GivesTheNewSolution_AsAFreshFactorizationDoes()
    {
        var a = RandomMatrix(211, 11);
        var scaled = a.WithValues(RescaleKeepingSymmetry(a));
        var b = RandomSystems.Vector(211, 12);
        using var f = Factor(a);
        var before = new double[211];
        f.Solve(b, before);
        f.Refactor(scaled);
        var x = new double[211];
        f.Solve(b, x);
        Assert.True(Reference.RelativeMaxError(x, Reference.DenseSolve(scaled, b)) < 1e-11);
        Assert.True(Reference.RelativeMaxError(before, x) > 1e-3, "the new values must change the solution");
        using var fresh = Factor(scaled);
        var expected = new double[211];
        fresh.Solve(b, expected);
        Assert.Equal(expected, x);
        Assert.Equal(fresh.FactorNonZeros, f.FactorNonZeros);
    }

    /// <summary>New values on A's pattern, a_ij and a_ji scaled alike so an SPD matrix stays SPD: 1 + 0.3 sin(i + j).</summary>
    private static double[] RescaleKeepingSymmetry(CsrMatrix a)
    {
        var values = new double[a.NonZeros];
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                values[k] = a.Values[k] * (i == j ? 1.5 : 1 + 0.3 * Math.Sin(i + j));
            }
        return values;
    }

    [Fact]
    public void Refactor_WithAnotherPattern_ThrowsArgumentException()
    {
        using var f = Factor(RandomMatrix(60, 13));
        Assert.Throws<ArgumentException>(() => f.Refactor(RandomMatrix(60, 14)));
        Assert.Throws<ArgumentException>(() => f.Refactor(RandomMatrix(61, 13)));
    }

    [Fact]
    public void WarmSolve_AllocatesNothing_WithAndWithoutRefinement()
    {
        var a = RandomMatrix(500, 15);
        var b = RandomSystems.Vector(500, 16);
        var x = new double[500];
        foreach (var options in new[] { new DirectSolverOptions(), Unrefined })
        {
            using var f = Factor(a, options);
            f.Solve(b, x);
            var (_, bytes) = Allocations.Least(() =>
            {
                f.Solve(b, x);
                return 0;
            });
            Assert.Equal(0, bytes);
        }
    }

    [Fact]
    public void TinyMemoryLimit_ThrowsFactorMemoryException_BeforeFactoring()
    {
        var a = RandomMatrix(300, 17);
        var e = Assert.Throws<FactorMemoryException>(() => Factor(a, new DirectSolverOptions { MemoryLimitBytes = 10_000 }));
        Assert.Equal(ExpectedBackend, e.Backend);
        Assert.Equal(10_000, e.LimitBytes);
        Assert.True(e.EstimatedBytes > 10_000);
    }

    [Fact]
    public void ZeroColumn_ThrowsSingular_NamingThatColumn()
    {
        // A diagonal matrix with column 3 (and, to stay symmetric, row 3) empty.
        var b = new TripletBuilder(6, 6);
        for (int i = 0; i < 6; i++)
            if (i != 3) b.Add(i, i, 2 + i);
        b.Add(0, 5, 0.5);
        b.Add(5, 0, 0.5);
        foreach (var ordering in new[] { DirectOrdering.Natural, DirectOrdering.Amd })
        {
            var e = Assert.Throws<SingularMatrixException>(() => Factor(b.ToCsr(), new DirectSolverOptions { Ordering = ordering }));
            Assert.Equal(3, e.Column);
            Assert.Equal(ExpectedBackend, e.Backend);
        }
    }

    [Fact]
    public void Solve_AfterDispose_ThrowsObjectDisposed()
    {
        var a = RandomMatrix(20, 18);
        var f = Factor(a);
        f.Dispose();
        Assert.Throws<ObjectDisposedException>(() => f.Solve(new double[20], new double[20]));
        Assert.Throws<ObjectDisposedException>(() => f.Refactor(a));
    }

    [Fact]
    public void BadArguments_ThrowTypedErrors()
    {
        var a = RandomMatrix(20, 19);
        Assert.Throws<ArgumentException>(() => Factor(new TripletBuilder(3, 4).ToCsr()));
        Assert.Throws<ArgumentOutOfRangeException>(() => Factor(a, new DirectSolverOptions { PivotTolerance = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Factor(a, new DirectSolverOptions { MemoryLimitBytes = -1 }));
        using var f = Factor(a);
        Assert.Throws<ArgumentException>(() => f.Solve(new double[19], new double[20]));
        Assert.Throws<ArgumentException>(() => f.Solve(new double[20], new double[21]));

        // The CSR arrays are shared: a NaN written after construction is caught before factoring.
        var poisoned = new CsrMatrix(20, 20, a.RowPointers, a.ColumnIndices, (double[])a.Values.Clone());
        poisoned.Values[5] = double.NaN;
        Assert.Throws<InvalidMatrixException>(() => Factor(poisoned));
        Assert.Throws<InvalidMatrixException>(() => f.Refactor(poisoned));
    }

    [Fact]
    public void EmptyMatrix_FactorsAndSolves()
    {
        using var f = Factor(new TripletBuilder(0, 0).ToCsr());
        f.Solve([], []);
        Assert.Equal(0, f.FactorNonZeros);
    }

    /// <summary>x for b = A·ones, by the factorization with the given options, and its residual recomputed independently.</summary>
    protected double SharedMatrixResidual(string name, DirectSolverOptions? options = null)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var ones = new double[a.Rows];
        Array.Fill(ones, 1.0);
        var b = Reference.Multiply(a, ones);
        using var f = Factor(a, options);
        var x = new double[a.Rows];
        f.Solve(b, x);
        return Reference.TrueRelativeResidual(a, x, b);
    }
}
