using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class IncompleteLuThresholdTests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(7, 2)]
    [InlineData(31, 3)]
    [InlineData(64, 4)]
    public void WithoutDropping_IsTheExactLu(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed, perRow: 6);
        var ilut = new IncompleteLuThreshold(a, dropTolerance: 0, fill: n);
        Assert.Equal(0, ilut.ReplacedPivots);
        var x = RandomSystems.Vector(n, seed + 10);
        var z = PreconditionerChecks.Apply(ilut, Reference.Multiply(a, x));
        Assert.True(Reference.RelativeMaxError(z, x) < 1e-10, $"relative error {Reference.RelativeMaxError(z, x):G3}");
    }

    [Theory]
    [InlineData(0.05, 3)]
    [InlineData(0.01, 37)]
    [InlineData(0.0, 2)]
    [InlineData(0.2, 1)]
    [InlineData(0.02, 0)]
    public void Factors_MatchADenseReferenceIlut(double dropTolerance, int fill)
    {
        var a = RandomSystems.Nonsymmetric(37, 5, perRow: 7);
        var ilut = new IncompleteLuThreshold(a, dropTolerance, fill);
        var (l, u, replaced) = DenseIlut(a.ToDense(), dropTolerance, fill);
        Assert.Equal(replaced, ilut.ReplacedPivots);
        AssertClose(l, RandomTriangular.ToDense(ilut.Factor.Lower));
        AssertClose(u, RandomTriangular.ToDense(ilut.Factor.Upper));
        for (int i = 0; i < 37; i++)
        {
            Assert.InRange(ilut.Factor.Lower.RowPointers[i + 1] - ilut.Factor.Lower.RowPointers[i], 0, fill);
            Assert.InRange(ilut.Factor.Upper.RowPointers[i + 1] - ilut.Factor.Upper.RowPointers[i], 1, fill + 1);
        }
    }

    /// <summary>Saad's Algorithm 10.6 on dense arrays, with the library's pivot replacement: the reference for the sparse code.</summary>
    private static (double[,] L, double[,] U, int Replaced) DenseIlut(double[,] a, double tau, int p)
    {
        int n = a.GetLength(0);
        var l = new double[n, n];
        var u = new double[n, n];
        int replaced = 0;
        for (int i = 0; i < n; i++)
        {
            var w = new double[n];
            double norm = 0;
            for (int j = 0; j < n; j++)
            {
                w[j] = a[i, j];
                norm += w[j] * w[j];
            }
            norm = Math.Sqrt(norm);
            double tolerance = tau * norm;
            for (int k = 0; k < i; k++)
            {
                if (w[k] == 0) continue;
                w[k] /= u[k, k];
                if (Math.Abs(w[k]) < tolerance)
                {
                    w[k] = 0;
                    continue;
                }
                for (int j = k + 1; j < n; j++) w[j] -= w[k] * u[k, j];
            }
            for (int j = 0; j < n; j++)
                if (j != i && Math.Abs(w[j]) < tolerance) w[j] = 0;
            foreach (int j in Enumerable.Range(0, i).Where(j => w[j] != 0).OrderByDescending(j => Math.Abs(w[j])).Take(p)) l[i, j] = w[j];
            foreach (int j in Enumerable.Range(i + 1, n - i - 1).Where(j => w[j] != 0).OrderByDescending(j => Math.Abs(w[j])).Take(p)) u[i, j] = w[j];
            l[i, i] = 1;
            double pivot = w[i];
            if (Math.Abs(pivot) <= IncompleteLuThreshold.TinyPivotRatio * norm)
            {
                pivot = (pivot < 0 ? -1 : 1) * (1e-4 + tau) * norm;
                replaced++;
            }
            u[i, i] = pivot;
        }
        return (l, u, replaced);
    }

    private static void AssertClose(double[,] expected, double[,] actual)
    {
        int n = expected.GetLength(0);
        double scale = 0, worst = 0;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                scale = Math.Max(scale, Math.Abs(expected[i, j]));
                if ((expected[i, j] == 0) != (actual[i, j] == 0)) Assert.Fail($"entry ({i}, {j}): expected {expected[i, j]:G6}, got {actual[i, j]:G6} (the patterns differ)");
                worst = Math.Max(worst, Math.Abs(expected[i, j] - actual[i, j]));
            }
        Assert.True(worst <= 1e-12 * scale, $"largest difference {worst:G3} against largest entry {scale:G3}");
    }

    [Fact]
    public void ZeroPivot_IsReplacedByTheShiftedValue_AndCounted()
    {
        // Row 1's pivot cancels: 1 − (1/1)·1 = 0; it becomes (10⁻⁴ + τ)·‖a_1‖₂ = (10⁻⁴ + 10⁻³)·√2.
        var cancels = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 1.0, 1.0, 1.0]);
        var ilut = new IncompleteLuThreshold(cancels, 1e-3, 10);
        Assert.Equal(1, ilut.ReplacedPivots);
        Assert.Equal((1e-4 + 1e-3) * Math.Sqrt(2), ilut.Factor.Upper.Values[ilut.Factor.Upper.RowPointers[1]], 1e-15);
        Assert.All(PreconditionerChecks.Apply(ilut, [1.0, 2.0]), v => Assert.True(double.IsFinite(v)));

        // A missing diagonal is a zero pivot too.
        var missing = CsrMatrix.FromTriplets(3, 3, [0, 1, 2, 2], [0, 0, 1, 2], [2.0, 1.0, 1.0, 3.0]);
        Assert.Equal(1, new IncompleteLuThreshold(missing).ReplacedPivots);
    }

    [Fact]
    public void BadArguments_NameTheArgument()
    {
        var a = RandomSystems.Nonsymmetric(10, 6);
        Assert.Equal("dropTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThreshold(a, -1e-3)).ParamName);
        Assert.Equal("dropTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThreshold(a, double.NaN)).ParamName);
        Assert.Equal("fill", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThreshold(a, 1e-3, -1)).ParamName);
        Assert.Equal("a", Assert.Throws<ArgumentException>(() => new IncompleteLuThreshold(CsrMatrix.FromTriplets(2, 3, [0], [0], [1.0]))).ParamName);
        var zeroRow = CsrMatrix.FromTriplets(2, 2, [0, 1], [0, 0], [1.0, 0.0]);
        var e = Assert.Throws<ArgumentException>(() => new IncompleteLuThreshold(zeroRow));
        Assert.Contains("row 2", e.Message);
        Assert.Contains("singular", e.Message);
        // A matrix is checked for finite values when built; its arrays can still be overwritten later.
        var infinite = CsrMatrix.FromTriplets(2, 2, [0, 1], [0, 1], [1.0, 1.0]);
        infinite.Values[1] = double.PositiveInfinity;
        Assert.Contains("not finite", Assert.Throws<ArgumentException>(() => new IncompleteLuThreshold(infinite)).Message);
    }

    [Fact]
    public void LargerDropToleranceAndSmallerFill_KeepFewerEntries()
    {
        var a = RandomSystems.Nonsymmetric(300, 7, perRow: 6);
        double exactish = new IncompleteLuThreshold(a, 1e-6, 300).FillRatio;
        double dropped = new IncompleteLuThreshold(a, 1e-2, 300).FillRatio;
        double limited = new IncompleteLuThreshold(a, 1e-6, 3).FillRatio;
        Assert.True(dropped < exactish, $"τ = 10⁻²: {dropped:F2} vs {exactish:F2}");
        Assert.True(limited <= (2.0 * 3 + 1) * 300 / a.NonZeros, $"p = 3: {limited:F2}");
    }

    [Fact]
    public void SpeedsUpGmres_OnConvectionDiffusion_MoreThanIlu0()
    {
        var s = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 40, Peclet = 50, Seed = 3 });
        var cpu = Device.Cpu;
        var a = cpu.Upload(s.Matrix);
        var ilu0 = new Gmres(a, new IncompleteLu0(s.Matrix)).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        var x = cpu.Allocate(s.Size);
        var result = new Gmres(a, new IncompleteLuThreshold(s.Matrix)).Solve(cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.True(result.Iterations < ilu0.Iterations, $"ILUT {result.Iterations} vs ILU(0) {ilu0.Iterations}");
    }
}
