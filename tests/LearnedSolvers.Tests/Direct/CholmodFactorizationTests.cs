using LearnedSolvers.Direct;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

public class CholmodFactorizationTests : SuiteSparseFactorizationTests
{
    protected override SuiteSparseComponent Component => SuiteSparseLibrary.Cholmod;
    protected override bool SpdOnly => true;
    protected override ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null) => CholmodFactorization.Factor(a, options);

    [Theory]
    [InlineData(DirectOrdering.Auto)]
    [InlineData(DirectOrdering.Natural)]
    public void IndefiniteDiagonal_ReportsTheColumnOfA(DirectOrdering ordering)
    {
        RequireBackend();
        var a = CsrMatrix.FromTriplets(5, 5, [0, 1, 2, 3, 4], [0, 1, 2, 3, 4], [1.0, 2.0, 3.0, -4.0, 5.0]);
        var e = Assert.Throws<SingularMatrixException>(() => CholmodFactorization.Factor(a, new DirectSolverOptions { Ordering = ordering }).Dispose());
        Assert.True(e.NotPositiveDefinite);
        Assert.Equal(3, e.Column);
    }

    [Fact]
    public void SingularLaplacian_IsNotPositiveDefinite()
    {
        RequireBackend();
        // The path graph's Laplacian: positive semidefinite, its last pivot exactly 0 in integer arithmetic.
        const int n = 9;
        var b = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            b.Add(i, i, i == 0 || i == n - 1 ? 1 : 2);
            if (i > 0) b.Add(i, i - 1, -1);
            if (i < n - 1) b.Add(i, i + 1, -1);
        }
        Assert.True(Assert.Throws<SingularMatrixException>(() => CholmodFactorization.Factor(b.ToCsr()).Dispose()).NotPositiveDefinite);
    }

    [Fact]
    public void NonsymmetricMatrix_ThrowsArgumentException()
    {
        RequireBackend();
        Assert.Throws<ArgumentException>(() => CholmodFactorization.Factor(RandomSystems.Nonsymmetric(50, 30)).Dispose());
    }

    [Fact]
    public void FactorNonZeros_IsTheExactCountOfL_OnATridiagonalMatrix()
    {
        RequireBackend();
        var a = PreconditionerChecks.Tridiagonal(100, 31, symmetric: true);
        using var f = CholmodFactorization.Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Natural });
        Assert.Equal(2 * 100 - 1, f.FactorNonZeros);
    }
}
