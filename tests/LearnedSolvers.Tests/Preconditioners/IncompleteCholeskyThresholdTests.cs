using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class IncompleteCholeskyThresholdTests
{
    /// <summary>
    /// On Kershaw's matrix this τ drops the one fill entry of row 2 (4/3 against τ·√17 ≈ 1.65), so ICT is IC(0) there
    /// and meets IC(0)'s negative pivot.
    /// </summary>
    internal const double KershawBreakdownDropTolerance = 0.4;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(9, 2)]
    [InlineData(41, 3)]
    public void WithoutDropping_IsTheExactCholesky(int n, int seed)
    {
        var a = RandomSystems.Spd(n, seed, perRow: 6);
        var ict = new IncompleteCholeskyThreshold(a, dropTolerance: 0, fill: n);
        var x = RandomSystems.Vector(n, seed + 10);
        var z = PreconditionerChecks.Apply(ict, Reference.Multiply(a, x));
        Assert.True(Reference.RelativeMaxError(z, x) < 1e-10, $"relative error {Reference.RelativeMaxError(z, x):G3}");
    }

    [Theory]
    [InlineData(0.05, 3)]
    [InlineData(0.01, 39)]
    [InlineData(0.0, 2)]
    [InlineData(0.1, 0)]
    public void Factor_MatchesADenseReferenceIct(double dropTolerance, int fill)
    {
        var a = RandomSystems.Spd(39, 4, perRow: 8);
        var ict = new IncompleteCholeskyThreshold(a, dropTolerance, fill);
        var expected = DenseIct(a.ToDense(), dropTolerance, fill);
        var upper = RandomTriangular.ToDense(ict.Factor.Upper);
        var lower = RandomTriangular.ToDense(ict.Factor.Lower);
        for (int i = 0; i < 39; i++)
            for (int j = 0; j < 39; j++)
            {
                Assert.True((expected[i, j] == 0) == (upper[i, j] == 0), $"entry ({i}, {j}): expected {expected[i, j]:G6}, got {upper[i, j]:G6}");
                Assert.True(Math.Abs(expected[i, j] - upper[i, j]) <= 1e-12 * Math.Abs(expected[i, i]), $"entry ({i}, {j})");
                Assert.Equal(upper[i, j], lower[j, i]);
            }
    }

    /// <summary>Row j of Lᵀ: w = a_j − Σ_{k&lt;j} u_kj u_k, ILUT's dropping on w, then w / √w_j; dense, from the definition.</summary>
    private static double[,] DenseIct(double[,] a, double tau, int p)
    {
        int n = a.GetLength(0);
        var u = new double[n, n];
        for (int j = 0; j < n; j++)
        {
            var w = new double[n];
            double norm = 0;
            for (int c = 0; c < n; c++) norm += a[j, c] * a[j, c];
            for (int c = j; c < n; c++)
            {
                w[c] = a[j, c];
                for (int k = 0; k < j; k++) w[c] -= u[k, j] * u[k, c];
            }
            double ujj = Math.Sqrt(w[j]);
            u[j, j] = ujj;
            var kept = Enumerable.Range(j + 1, n - j - 1).Where(c => w[c] != 0 && Math.Abs(w[c]) >= tau * Math.Sqrt(norm))
                .OrderByDescending(c => Math.Abs(w[c])).Take(p);
            foreach (int c in kept) u[j, c] = w[c] / ujj;
        }
        return u;
    }

    [Theory]
    [InlineData(1e-2, 3)]
    [InlineData(1e-3, 10)]
    public void IsSymmetricAndPositiveDefinite(double dropTolerance, int fill)
    {
        var a = RandomSystems.Spd(200, 5);
        var ict = new IncompleteCholeskyThreshold(a, dropTolerance, fill);
        Assert.True(ict.IsSymmetric);
        Assert.True(PreconditionerChecks.SymmetryDefect(ict, 6) < 1e-12);
        for (int seed = 7; seed < 12; seed++)
        {
            var x = RandomSystems.Vector(200, seed);
            var z = PreconditionerChecks.Apply(ict, x);
            Assert.True(x.Zip(z, (p, q) => p * q).Sum() > 0);
        }
    }

    [Fact]
    public void GrowingShift_SucceedsWhereIctBreaksDown_ReportingTheShift()
    {
        var a = IncompleteCholesky0Tests.Kershaw();
        Assert.Equal(3, Assert.Throws<ZeroPivotException>(() => new IncompleteCholeskyThreshold(a, KershawBreakdownDropTolerance)).Row);
        var ict = IncompleteCholeskyThreshold.WithGrowingShift(a, KershawBreakdownDropTolerance);
        Assert.True(ict.DiagonalShift >= IncompleteCholesky0.FirstGrowingShift);
        Assert.Throws<ZeroPivotException>(() => new IncompleteCholeskyThreshold(a, KershawBreakdownDropTolerance, diagonalShift: ict.DiagonalShift / 2));
        var r = RandomSystems.Vector(4, 5);
        Assert.Equal(PreconditionerChecks.Apply(new IncompleteCholeskyThreshold(a, KershawBreakdownDropTolerance, diagonalShift: ict.DiagonalShift), r),
            PreconditionerChecks.Apply(ict, r));
        Assert.Throws<ZeroPivotException>(() => IncompleteCholeskyThreshold.WithGrowingShift(a, KershawBreakdownDropTolerance, maxShift: ict.DiagonalShift / 2));
        // Keeping the fill entry, ICT needs no shift on the same matrix.
        Assert.Equal(0, IncompleteCholeskyThreshold.WithGrowingShift(a, 0.1).DiagonalShift);
    }

    [Fact]
    public void BadArguments_NameTheArgument()
    {
        var a = RandomSystems.Spd(10, 6);
        Assert.Equal("dropTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteCholeskyThreshold(a, -1)).ParamName);
        Assert.Equal("fill", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteCholeskyThreshold(a, 1e-3, -2)).ParamName);
        Assert.Equal("diagonalShift", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteCholeskyThreshold(a, diagonalShift: -1)).ParamName);
        Assert.Equal("maxShift", Assert.Throws<ArgumentOutOfRangeException>(() => IncompleteCholeskyThreshold.WithGrowingShift(a, initialShift: 0.5, maxShift: 0.1)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => new IncompleteCholeskyThreshold(RandomSystems.Nonsymmetric(10, 7))).ParamName);
        var missing = CsrMatrix.FromTriplets(2, 2, [0, 0, 1], [0, 1, 0], [2.0, 1.0, 1.0]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => new IncompleteCholeskyThreshold(missing)).Row);
    }

    [Fact]
    public void SpeedsUpCg_OnPoisson_MoreThanIc0()
    {
        var s = Poisson.TwoD(40);
        var cpu = Device.Cpu;
        var a = cpu.Upload(s.Matrix);
        var ic0 = new ConjugateGradient(a, new IncompleteCholesky0(s.Matrix)).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        var x = cpu.Allocate(s.Size);
        var ict = new IncompleteCholeskyThreshold(s.Matrix);
        var result = new ConjugateGradient(a, ict).Solve(cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.True(result.Iterations < ic0.Iterations, $"ICT {result.Iterations} (fill {ict.FillRatio:F2}) vs IC(0) {ic0.Iterations}");
    }
}
