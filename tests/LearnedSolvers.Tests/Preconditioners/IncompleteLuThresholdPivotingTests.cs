using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class IncompleteLuThresholdPivotingTests
{
    /// <summary>A permutation matrix (no nonzero diagonal entry) plus small noise on a few other entries.</summary>
    private static CsrMatrix PermutedIdentityPlusNoise(int n, int seed)
    {
        var rng = new Random(seed);
        var target = Enumerable.Range(0, n).Select(i => (i + 1 + i % 3) % n).ToArray(); // column of row i's 1
        var b = new TripletBuilder(n, n);
        var used = new bool[n];
        for (int i = 0; i < n; i++)
        {
            int c = target[i];
            while (used[c] || c == i) c = (c + 1) % n;
            used[c] = true;
            b.Add(i, c, 1 + rng.NextDouble());
            for (int k = 0; k < 2; k++)
            {
                int j = rng.Next(n);
                if (j != i && j != c) b.Add(i, j, 0.01 * (rng.NextDouble() * 2 - 1));
            }
        }
        return b.ToCsr();
    }

    /// <summary>
    /// y = M⁻¹ r must solve L U Qᵀ y = r. Returns the componentwise backward error (Oettli and Prager) of z = Qᵀ y,
    /// max_i |r − L U z|_i / (|L| |U| |z| + |r|)_i: triangular substitution is backward stable (Higham, Accuracy and
    /// Stability of Numerical Algorithms, Thm 8.5), so it is a small multiple of ε however ill-conditioned L U is, while
    /// a wrong permutation or factor gives order 1.
    /// </summary>
    private static double BackwardError(IncompleteLuThresholdPivoting m, double[] r)
    {
        var y = PreconditionerChecks.Apply(m, r);
        Assert.All(y, v => Assert.True(double.IsFinite(v)));
        var z = new double[y.Length];
        for (int k = 0; k < z.Length; k++) z[k] = y[m.ColumnOrder[k]];
        var luz = Multiply(m.Factor.Lower, Multiply(m.Factor.Upper, z));
        var bound = Multiply(m.Factor.Lower, Multiply(m.Factor.Upper, z, absolute: true), absolute: true);
        double worst = 0;
        for (int i = 0; i < r.Length; i++) worst = Math.Max(worst, Math.Abs(r[i] - luz[i]) / (bound[i] + Math.Abs(r[i])));
        return worst;
    }

    private static double[] Multiply(TriangularMatrix t, double[] x, bool absolute = false)
    {
        var y = new double[t.Size];
        for (int i = 0; i < t.Size; i++)
        {
            double s = t.HasUnitDiagonal ? (absolute ? Math.Abs(x[i]) : x[i]) : 0;
            for (int k = t.RowPointers[i]; k < t.RowPointers[i + 1]; k++)
                s += absolute ? Math.Abs(t.Values[k] * x[t.ColumnIndices[k]]) : t.Values[k] * x[t.ColumnIndices[k]];
            y[i] = s;
        }
        return y;
    }

    [Theory]
    [InlineData(9, 1)]
    [InlineData(50, 2)]
    [InlineData(201, 3)]
    public void OnAPermutedIdentity_ExchangesColumns_AndWithoutDroppingIsExact(int n, int seed)
    {
        var a = PermutedIdentityPlusNoise(n, seed);
        Assert.All(a.Diagonal(), d => Assert.Equal(0.0, d));
        var exact = new IncompleteLuThresholdPivoting(a, dropTolerance: 0, fill: n);
        Assert.True(exact.ColumnExchanges > 0);
        Assert.Equal(0, exact.ReplacedPivots);
        var x = RandomSystems.Vector(n, seed + 10);
        var z = PreconditionerChecks.Apply(exact, Reference.Multiply(a, x));
        Assert.True(Reference.RelativeMaxError(z, x) < 1e-10, $"relative error {Reference.RelativeMaxError(z, x):G3}");

        var dropped = new IncompleteLuThresholdPivoting(a, dropTolerance: 0.05, fill: 1);
        Assert.Equal(0, dropped.ReplacedPivots);
        Assert.True(BackwardError(dropped, RandomSystems.Vector(n, seed + 11)) < 1e-14);
        // ILUT keeps the zero diagonal and must replace pivots.
        Assert.True(new IncompleteLuThreshold(a, dropTolerance: 0.05, fill: 1).ReplacedPivots > 0);
    }

    [Fact]
    public void ExchangesTheDiagonal_ExactlyWhenTTimesTheLargestEntryExceedsIt()
    {
        // Row 0: diagonal 1, largest U entry 3.
        var a = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 3.0, 2.0, 1.0]);
        var exchanged = new IncompleteLuThresholdPivoting(a, 0, 2, pivotTolerance: 0.5);
        Assert.Equal(1, exchanged.ColumnExchanges);
        Assert.Equal([1, 0], exchanged.ColumnOrder);
        Assert.Equal(3.0, exchanged.Factor.Upper.Values[0]);
        var kept = new IncompleteLuThresholdPivoting(a, 0, 2, pivotTolerance: 0.3);
        Assert.Equal(0, kept.ColumnExchanges);
        Assert.Equal([0, 1], kept.ColumnOrder);
        var r = new[] { 1.0, -2.0 };
        var expected = Reference.DenseSolve(a, r);
        Assert.True(Reference.RelativeMaxError(PreconditionerChecks.Apply(exchanged, r), expected) < 1e-14);
        Assert.True(Reference.RelativeMaxError(PreconditionerChecks.Apply(kept, r), expected) < 1e-14);
    }

    [Fact]
    public void WithPivotToleranceZero_IsIlut()
    {
        var a = RandomSystems.Nonsymmetric(101, 4, perRow: 6);
        var ilutp = new IncompleteLuThresholdPivoting(a, 1e-2, 4, pivotTolerance: 0);
        var ilut = new IncompleteLuThreshold(a, 1e-2, 4);
        Assert.Equal(0, ilutp.ColumnExchanges);
        Assert.Equal(Enumerable.Range(0, 101), ilutp.ColumnOrder);
        Assert.Equal(ilut.Factor.Lower.Values, ilutp.Factor.Lower.Values);
        Assert.Equal(ilut.Factor.Upper.ColumnIndices, ilutp.Factor.Upper.ColumnIndices);
        var r = RandomSystems.Vector(101, 5);
        Assert.Equal(PreconditionerChecks.Apply(ilut, r), PreconditionerChecks.Apply(ilutp, r));
    }

    public static TheoryData<string> Nonsymmetric => ["west0479", "west0497", "nnc1374", "adder_dcop_05", "impcol_a", "mahindas"];

    [Theory, MemberData(nameof(Nonsymmetric))]
    public void OnTheSharedMatrices_ApplyIsFinite_AndSolvesLUQtYEqualsR(string name)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var m = new IncompleteLuThresholdPivoting(a);
        Assert.True(m.ColumnExchanges > 0, "these matrices have zero or small diagonal entries");
        double e = BackwardError(m, RandomSystems.Vector(a.Rows, 12));
        Assert.True(e < 1e-13, $"componentwise backward error {e:G3}");
    }

    /// <summary>
    /// GMRES(30) with ILUTP reaches 10⁻⁸ on the true residual within 500 iterations: on all six with τ = 10⁻⁵, p = 30
    /// (the west and nnc matrices are badly scaled, and relative dropping needs the small τ there); with the defaults
    /// (τ = 10⁻³, p = 10) on the three that converge at that setting.
    /// </summary>
    [Theory]
    [InlineData("west0479", 1e-5, 30)]
    [InlineData("west0497", 1e-5, 30)]
    [InlineData("nnc1374", 1e-5, 30)]
    [InlineData("adder_dcop_05", 1e-5, 30)]
    [InlineData("impcol_a", 1e-5, 30)]
    [InlineData("mahindas", 1e-5, 30)]
    [InlineData("adder_dcop_05", IncompleteLuThreshold.DefaultDropTolerance, IncompleteLuThreshold.DefaultFill)]
    [InlineData("impcol_a", IncompleteLuThreshold.DefaultDropTolerance, IncompleteLuThreshold.DefaultFill)]
    [InlineData("mahindas", IncompleteLuThreshold.DefaultDropTolerance, IncompleteLuThreshold.DefaultFill)]
    public void Gmres30_Converges_OnTheSharedMatrices(string name, double dropTolerance, int fill)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray());
        var cpu = Device.Cpu;
        using var m = new IncompleteLuThresholdPivoting(a, dropTolerance, fill);
        var solver = KrylovSolvers.Create(KrylovMethod.Gmres, cpu.Upload(a), m, new SolverOptions(RelativeTolerance: 1e-8, MaxIterations: 500), restart: 30);
        var x = cpu.Allocate(a.Rows);
        var result = solver.Solve(cpu.Upload(b), x);
        Assert.True(result.Converged, $"{result} (fill {m.FillRatio:F2})");
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-8);
    }

    [Fact]
    public void BadArguments_NameTheArgument()
    {
        var a = RandomSystems.Nonsymmetric(10, 6);
        Assert.Equal("pivotTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThresholdPivoting(a, pivotTolerance: 1.5)).ParamName);
        Assert.Equal("pivotTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThresholdPivoting(a, pivotTolerance: -0.1)).ParamName);
        Assert.Equal("dropTolerance", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThresholdPivoting(a, double.PositiveInfinity)).ParamName);
        Assert.Equal("fill", Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteLuThresholdPivoting(a, fill: -3)).ParamName);
    }
}
