using LearnedSolvers.Direct;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Direct;

public class UmfpackFactorizationTests : SuiteSparseFactorizationTests
{
    protected override SuiteSparseComponent Component => SuiteSparseLibrary.Umfpack;
    protected override bool SpdOnly => false;
    protected override ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null) => UmfpackFactorization.Factor(a, options);

    [Fact]
    public void TwoEqualRows_ThrowSingularMatrixException_NamingARow()
    {
        RequireBackend();
        var a = CsrMatrix.FromTriplets(4, 4,
            [0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3],
            [0, 2, 0, 1, 3, 0, 1, 3, 1, 2, 3],
            [2.0, 1.0, 4.0, 2.0, 0.5, 4.0, 2.0, 0.5, 1.0, 8.0, 2.0]);
        var e = Assert.Throws<SingularMatrixException>(() => UmfpackFactorization.Factor(a).Dispose());
        Assert.Equal(DirectBackend.Umfpack, e.Backend);
        Assert.Matches("row [23] of A", e.Message);
    }
}
