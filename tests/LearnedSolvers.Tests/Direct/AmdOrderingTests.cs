using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

public class AmdOrderingTests
{
    private static void RequireAmd() =>
        Assert.SkipUnless(AmdOrdering.IsAvailable, $"SuiteSparse AMD is not available: {SuiteSparseLibrary.Amd.UnavailableReason}");

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(500)]
    public void IsAPermutation(int n)
    {
        RequireAmd();
        var p = AmdOrdering.Compute(RandomSystems.Nonsymmetric(n, n));
        Assert.Equal(Enumerable.Range(0, n), p.Order());
    }

    [Fact]
    public void ArrowMatrix_EliminatesTheDenseNodeLast_WithNoFill()
    {
        RequireAmd();
        // Row and column 0 are full: eliminated first they fill everything, eliminated last they fill nothing.
        const int n = 50;
        var b = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            b.Add(i, i, 4);
            if (i > 0)
            {
                b.Add(0, i, 1);
                b.Add(i, 0, 1);
            }
        }
        var p = AmdOrdering.Compute(b.ToCsr(), out double lnz);
        Assert.Equal(0, p[n - 1]);
        Assert.Equal(n - 1, lnz);
    }

    [Fact]
    public void NonSquare_ThrowsArgumentException()
    {
        RequireAmd();
        Assert.Throws<ArgumentException>(() => AmdOrdering.Compute(CsrMatrix.FromTriplets(2, 3, [0], [2], [1.0])));
    }
}
