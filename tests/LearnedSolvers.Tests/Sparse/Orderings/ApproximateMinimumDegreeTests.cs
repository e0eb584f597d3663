using LearnedSolvers.Direct.Managed;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Orderings;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse.Orderings;

public class ApproximateMinimumDegreeTests(ITestOutputHelper output)
{
    /// <summary>nnz(L), diagonal included, of the Cholesky factor of P (A + Aᵀ) Pᵀ for p (new → old).</summary>
    private static long CholeskyFill(CsrMatrix a, int[] p)
    {
        var inverse = new int[p.Length];
        for (int k = 0; k < p.Length; k++) inverse[p[k]] = k;
        var (pointers, rows) = SymbolicCholesky.UpperOfPermutedSum(a.Rows, a.RowPointers, a.ColumnIndices, inverse);
        return new SymbolicCholesky(a.Rows, pointers, rows).FactorNonZeros;
    }

    private static void AssertPermutation(int[] p, int n)
    {
        Assert.Equal(n, p.Length);
        Assert.Equal(Enumerable.Range(0, n), p.Order());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(57)]
    [InlineData(1001)]
    public void Order_IsAPermutation_OfSymmetricAndNonsymmetricPatterns(int n)
    {
        AssertPermutation(ApproximateMinimumDegree.Order(RandomSystems.Spd(n, n + 1)), n);
        AssertPermutation(ApproximateMinimumDegree.Order(RandomSystems.Nonsymmetric(n, n + 2)), n);
        AssertPermutation(ApproximateMinimumDegree.Order(CsrMatrix.Identity(n)), n);
    }

    [Fact]
    public void Order_OfAStructurallyNonsymmetricPattern_UsesAPlusATranspose()
    {
        // Upper triangle only: the ordering must see the lower half as well (else every node looks like a leaf).
        var b = new TripletBuilder(200, 200);
        var rng = new Random(3);
        for (int i = 0; i < 200; i++)
        {
            b.Add(i, i, 1);
            for (int k = 0; k < 3; k++)
            {
                int j = rng.Next(200);
                if (j > i) b.Add(i, j, 1);
            }
        }
        var upper = b.ToCsr();
        var both = new TripletBuilder(200, 200);
        for (int i = 0; i < 200; i++)
            for (int k = upper.RowPointers[i]; k < upper.RowPointers[i + 1]; k++)
            {
                both.Add(i, upper.ColumnIndices[k], 1);
                both.Add(upper.ColumnIndices[k], i, 1);
            }
        var symmetric = both.ToCsr();
        // Ties break by adjacency order, which differs between the two inputs; the fill must not.
        long fromUpper = CholeskyFill(symmetric, ApproximateMinimumDegree.Order(upper));
        long fromSymmetric = CholeskyFill(symmetric, ApproximateMinimumDegree.Order(symmetric));
        long natural = CholeskyFill(symmetric, Enumerable.Range(0, 200).ToArray());
        Assert.True(fromUpper < 1.2 * fromSymmetric, $"upper-only pattern {fromUpper}, symmetric {fromSymmetric}");
        Assert.True(fromUpper < natural, $"upper-only pattern {fromUpper}, natural {natural}");
    }

    [Fact]
    public void Poisson2D_100_FillIsFarBelowNaturalOrder()
    {
        var a = Poisson.TwoD(100).Matrix;
        var natural = Enumerable.Range(0, a.Rows).ToArray();
        var p = ApproximateMinimumDegree.Order(a);
        AssertPermutation(p, a.Rows);
        long naturalFill = CholeskyFill(a, natural), amdFill = CholeskyFill(a, p);
        output.WriteLine($"Poisson 100²: nnz(L) natural {naturalFill}, AMD {amdFill} ({(double)naturalFill / amdFill:F2}x less)");
        // Natural order's band of width 100 fills to about n·√n = 10⁶; AMD should be 2–3x below.
        Assert.InRange(naturalFill, 900_000, 1_100_000);
        Assert.True(amdFill * 2 < naturalFill, $"AMD {amdFill} vs natural {naturalFill}");
    }

    [Fact]
    public void DenseRow_IsOrderedLast_SoAnArrowHasNoFill()
    {
        // An arrow (row and column 0 full) eliminated with node 0 first fills completely; last, it fills nothing.
        const int n = 500;
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
        var a = b.ToCsr();
        var p = ApproximateMinimumDegree.Order(a);
        AssertPermutation(p, n);
        Assert.Equal(0, p[^1]);
        Assert.Equal(2 * n - 1, CholeskyFill(a, p));
    }

    [Fact]
    public void Order_IsDeterministic()
    {
        var a = RandomSystems.Nonsymmetric(700, 4);
        Assert.Equal(ApproximateMinimumDegree.Order(a), ApproximateMinimumDegree.Order(a));
    }

    [Fact]
    public void NonSquare_ThrowsArgumentException()
    {
        Assert.Throws<ArgumentException>(() => ApproximateMinimumDegree.Order(new TripletBuilder(3, 4).ToCsr()));
    }
}
