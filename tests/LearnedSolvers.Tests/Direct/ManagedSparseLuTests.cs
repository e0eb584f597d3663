using LearnedSolvers.Direct;
using LearnedSolvers.Direct.Managed;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

public class ManagedSparseLuTests : SparseFactorizationContract
{
    protected override ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null) => ManagedSparseLu.Factor(a, options);

    protected override CsrMatrix RandomMatrix(int n, int seed) => RandomSystems.Nonsymmetric(n, seed);

    protected override DirectBackend ExpectedBackend => DirectBackend.ManagedLu;

    public static TheoryData<string> SharedMatrixNames => new(SharedMatrices.Index().Select(m => m.Name));

    [Theory]
    [MemberData(nameof(SharedMatrixNames))]
    public void SharedMatrix_ResidualBelow1e12(string name)
    {
        double residual = SharedMatrixResidual(name);
        Assert.True(residual <= 1e-12, $"{name}: ‖b − Ax‖/‖b‖ = {residual:E2}");
    }

    [Theory]
    [InlineData("west0479")]
    [InlineData("west0497")]
    [InlineData("impcol_a")]
    [InlineData("mahindas")]
    public void ZeroDiagonalMatrices_StrictPartialPivoting_AlsoSolves(string name)
    {
        double residual = SharedMatrixResidual(name, new DirectSolverOptions { PivotTolerance = 1 });
        Assert.True(residual <= 1e-12, $"{name}: ‖b − Ax‖/‖b‖ = {residual:E2}");
    }

    [Fact]
    public void ZeroDiagonal_IsPivotedAround()
    {
        // [[0, 2, 0], [1, 0, 3], [0, 4, 5]]: every natural-order pivot candidate on the diagonal is zero or too small.
        var a = CsrMatrix.FromTriplets(3, 3, [0, 1, 1, 2, 2], [1, 0, 2, 1, 2], [2.0, 1.0, 3.0, 4.0, 5.0]);
        double[] b = [1, 2, 3];
        using var f = ManagedSparseLu.Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Natural, RefinementSteps = 0 });
        var x = new double[3];
        f.Solve(b, x);
        Assert.True(Reference.RelativeMaxError(x, Reference.DenseSolve(a, b)) < 1e-15);
    }

    [Fact]
    public void DuplicateRows_ThrowSingular_NotNaN()
    {
        var a = RandomSystems.Nonsymmetric(50, 20);
        var b = new TripletBuilder(50, 50);
        for (int i = 0; i < 50; i++)
        {
            int source = i == 37 ? 12 : i; // row 37 repeats row 12
            for (int k = a.RowPointers[source]; k < a.RowPointers[source + 1]; k++) b.Add(i, a.ColumnIndices[k], a.Values[k]);
        }
        var singular = b.ToCsr();
        foreach (var ordering in new[] { DirectOrdering.Natural, DirectOrdering.Amd })
        {
            var e = Assert.Throws<SingularMatrixException>(() => ManagedSparseLu.Factor(singular, new DirectSolverOptions { Ordering = ordering }));
            Assert.False(e.NotPositiveDefinite);
            Assert.InRange(e.Column, 0, 49);
        }
    }

    [Fact]
    public void Refactor_ToSingularValues_Throws_ThenSolveRefusesUntilRefactored()
    {
        var a = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [2.0, 1.0, 1.0, 3.0]);
        using var f = ManagedSparseLu.Factor(a);
        Assert.Throws<SingularMatrixException>(() => f.Refactor(a.WithValues([1.0, 1.0, 1.0, 1.0])));
        Assert.Throws<InvalidOperationException>(() => f.Solve(new double[2], new double[2]));
        f.Refactor(a);
        var x = new double[2];
        f.Solve([3.0, 4.0], x);
        Assert.Equal([1.0, 1.0], x);
    }

    /// <summary>
    /// Tridiagonal with a subdiagonal twice the diagonal: strict partial pivoting swaps every row pair, and U gains a
    /// second superdiagonal that the Cholesky pattern of A + Aᵀ (the two bands: the factors' first size) does not have.
    /// </summary>
    private static CsrMatrix PivotingTridiagonal(int n)
    {
        var b = new TripletBuilder(n, n);
        var rng = new Random(21);
        for (int i = 0; i < n; i++)
        {
            b.Add(i, i, 1 + rng.NextDouble());
            if (i + 1 < n)
            {
                b.Add(i + 1, i, 4 + rng.NextDouble());
                b.Add(i, i + 1, 1 + rng.NextDouble());
            }
        }
        return b.ToCsr();
    }

    private static readonly DirectSolverOptions StrictNaturalUnrefined = new() { Ordering = DirectOrdering.Natural, PivotTolerance = 1, RefinementSteps = 0 };

    [Fact]
    public void FactorArrays_GrowPastTheSymbolicGuess_WhenPivotingAddsFill()
    {
        const int n = 300;
        var a = PivotingTridiagonal(n);
        var identity = Enumerable.Range(0, n).ToArray();
        var (pointers, rows) = SymbolicCholesky.UpperOfPermutedSum(n, a.RowPointers, a.ColumnIndices, identity);
        long guess = new SymbolicCholesky(n, pointers, rows).FactorNonZeros;
        Assert.Equal(2 * n - 1, guess);

        var rhs = RandomSystems.Vector(n, 22);
        using var f = ManagedSparseLu.Factor(a, StrictNaturalUnrefined);
        var x = new double[n];
        f.Solve(rhs, x);
        Assert.True(Reference.RelativeMaxError(x, Reference.DenseSolve(a, rhs)) < 1e-12);
        // More than twice the guess in all: at least one factor outgrew the guess it was allocated with.
        Assert.True(f.FactorNonZeros > 2 * guess, $"{f.FactorNonZeros} entries, guess {guess} per factor");
    }

    [Fact]
    public void GrowthPastTheMemoryLimit_ThrowsFactorMemoryException_NotOutOfMemory()
    {
        var a = PivotingTridiagonal(300);
        // The first estimate (from the symbolic guess) is what a limit of 1 byte reports; just above it the factors
        // are allocated, and the growth pivoting needs must be refused.
        double first = Assert.Throws<FactorMemoryException>(() => ManagedSparseLu.Factor(a, StrictNaturalUnrefined with { MemoryLimitBytes = 1 })).EstimatedBytes;
        long limit = (long)first + 100;
        var e = Assert.Throws<FactorMemoryException>(() => ManagedSparseLu.Factor(a, StrictNaturalUnrefined with { MemoryLimitBytes = limit }));
        Assert.Equal(limit, e.LimitBytes);
        Assert.True(e.EstimatedBytes > limit);
        using var roomy = ManagedSparseLu.Factor(a, StrictNaturalUnrefined with { MemoryLimitBytes = 2 * limit });
        Assert.Equal(300, roomy.Size);
    }

    [Fact]
    public void Tridiagonal_NaturalOrder_StoresExactlyItsBands()
    {
        const int n = 101;
        var a = PreconditionerChecks.Tridiagonal(n, 23, symmetric: false);
        using var f = ManagedSparseLu.Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Natural });
        Assert.Equal(2 * (2 * n - 1), f.FactorNonZeros);
    }
}
