using LearnedSolvers.Direct;
using LearnedSolvers.Direct.Managed;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

public class ManagedSparseCholeskyTests : SparseFactorizationContract
{
    protected override ISparseFactorization Factor(CsrMatrix a, DirectSolverOptions? options = null) => ManagedSparseCholesky.Factor(a, options);

    protected override CsrMatrix RandomMatrix(int n, int seed) => RandomSystems.Spd(n, seed);

    protected override DirectBackend ExpectedBackend => DirectBackend.ManagedCholesky;

    public static TheoryData<string> SpdSharedMatrixNames => new(SharedMatrices.Index().Where(m => m.Spd).Select(m => m.Name));

    [Theory]
    [MemberData(nameof(SpdSharedMatrixNames))]
    public void SpdSharedMatrix_ResidualBelow1e12(string name)
    {
        double residual = SharedMatrixResidual(name);
        Assert.True(residual <= 1e-12, $"{name}: ‖b − Ax‖/‖b‖ = {residual:E2}");
    }

    [Fact]
    public void SpdSharedMatrices_AreTheFourExpected()
    {
        Assert.Equal(["1138_bus", "494_bus", "ani1", "ani4"], SharedMatrices.Index().Where(m => m.Spd).Select(m => m.Name).Order());
    }

    [Theory]
    [InlineData(DirectOrdering.Natural)]
    [InlineData(DirectOrdering.Amd)]
    public void IndefiniteSymmetric_ThrowsNotPositiveDefinite_AtTheOriginalColumn(DirectOrdering ordering)
    {
        // Tridiagonal (1, 4, 1) with a_22 = −4: column 2's pivot is −4 minus squares over positive pivots, in any order,
        // while every other pivot stays positive, so 2 is where any elimination order fails.
        const int n = 9;
        var b = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            b.Add(i, i, i == 2 ? -4 : 4);
            if (i + 1 < n)
            {
                b.Add(i, i + 1, 1);
                b.Add(i + 1, i, 1);
            }
        }
        var e = Assert.Throws<SingularMatrixException>(() => ManagedSparseCholesky.Factor(b.ToCsr(), new DirectSolverOptions { Ordering = ordering }));
        Assert.True(e.NotPositiveDefinite);
        Assert.Equal(2, e.Column);
        Assert.Equal(DirectBackend.ManagedCholesky, e.Backend);
    }

    [Fact]
    public void DuplicateRowsAndColumns_ThrowNotPositiveDefinite_NotNaN()
    {
        // [[4, 4, 1], [4, 4, 1], [1, 1, 3]] is positive semidefinite and singular: the second pivot is 4 − 2·2 = 0 exactly.
        var a = CsrMatrix.FromTriplets(3, 3, [0, 0, 0, 1, 1, 1, 2, 2, 2], [0, 1, 2, 0, 1, 2, 0, 1, 2], [4.0, 4, 1, 4, 4, 1, 1, 1, 3]);
        var e = Assert.Throws<SingularMatrixException>(() => ManagedSparseCholesky.Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Natural }));
        Assert.True(e.NotPositiveDefinite);
        Assert.Equal(1, e.Column);
    }

    [Fact]
    public void NonsymmetricPatternOrValues_ThrowArgumentException()
    {
        Assert.Throws<ArgumentException>(() => ManagedSparseCholesky.Factor(RandomSystems.Nonsymmetric(40, 24)));
        var a = RandomSystems.Spd(40, 25);
        var values = (double[])a.Values.Clone();
        int offDiagonal = Array.FindIndex(a.ColumnIndices, c => c != 0); // an entry of row 0 off the diagonal
        values[offDiagonal] *= 1.001;
        Assert.Throws<ArgumentException>(() => ManagedSparseCholesky.Factor(a.WithValues(values)));
        using var f = ManagedSparseCholesky.Factor(a);
        Assert.Throws<ArgumentException>(() => f.Refactor(a.WithValues(values)));
        // Refused before any value changed: the factors of a still solve.
        var b = RandomSystems.Vector(40, 26);
        var x = new double[40];
        f.Solve(b, x);
        Assert.True(Reference.RelativeMaxError(x, Reference.DenseSolve(a, b)) < 1e-12);
    }

    [Fact]
    public void Tridiagonal_NaturalOrder_StoresExactlyItsLowerBand()
    {
        const int n = 101;
        using var f = ManagedSparseCholesky.Factor(PreconditionerChecks.Tridiagonal(n, 26, symmetric: true), new DirectSolverOptions { Ordering = DirectOrdering.Natural });
        Assert.Equal(2 * n - 1, f.FactorNonZeros);
    }

    [Fact]
    public void Permutation_IsIdentityForNatural_AndAValidPermutationForAmd()
    {
        var a = RandomSystems.Spd(150, 27);
        using var natural = ManagedSparseCholesky.Factor(a, new DirectSolverOptions { Ordering = DirectOrdering.Natural });
        Assert.Equal(Enumerable.Range(0, 150), natural.Permutation.ToArray());
        using var amd = ManagedSparseCholesky.Factor(a);
        Assert.Equal(Enumerable.Range(0, 150), amd.Permutation.ToArray().Order());
        Assert.NotEqual(Enumerable.Range(0, 150), amd.Permutation.ToArray());
    }
}
