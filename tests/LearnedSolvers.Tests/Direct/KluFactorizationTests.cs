using LearnedSolvers.Direct;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

public class KluFactorizationTests : SuiteSparseFactorizationTests
{
    protected override SuiteSparseComponent Component => SuiteSparseLibrary.Klu;
    protected override bool SpdOnly => false;
    protected override ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null) => KluFactorization.Factor(a, options);

    [Fact]
    public void TwoEqualRows_ThrowSingularMatrixException_NamingARow()
    {
        RequireBackend();
        // Powers of two keep the elimination exact, so the dependent row leaves an exact zero pivot.
        var a = CsrMatrix.FromTriplets(4, 4,
            [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3],
            [0, 2, 0, 1, 3, 0, 1, 3, 1, 2, 3],
            [2.0, 1.0, 4.0, 2.0, 0.5, 4.0, 2.0, 0.5, 1.0, 8.0, 2.0]);
        var e = Assert.Throws<SingularMatrixException>(() => KluFactorization.Factor(a).Dispose());
        Assert.Equal(DirectBackend.Klu, e.Backend);
        Assert.Matches("row [23] of A", e.Message);
    }

    [Fact]
    public void Refactor_KeepsWorking_WhenTheOldPivotOrderBecomesBad()
    {
        RequireBackend();
        // The first values pivot on the diagonal; the second make every diagonal entry tiny, so the kept pivots grow
        // the factors by 1e16 and lose the matrix to rounding (without refinement, which can repair a 3 x 3 case).
        var a = CsrMatrix.FromTriplets(3, 3, [0, 0, 0, 1, 1, 1, 2, 2, 2], [0, 1, 2, 0, 1, 2, 0, 1, 2],
            [4.0, 1.0, 1.0, 1.0, 4.0, 2.0, 1.0, 2.0, 4.0]);
        var a2 = a.WithValues([1e-16, 1.0, 1.0, 1.0, 1e-16, 2.0, 1.0, 2.0, 1e-16]);
        using var f = KluFactorization.Factor(a, new DirectSolverOptions { RefinementSteps = 0 });
        f.Refactor(a2);
        var b = new[] { 1.0, 2.0, 3.0 };
        var x = SolveWith(f, b);
        Assert.True(Reference.TrueRelativeResidual(a2, x, b) < 1e-14);
    }
}
