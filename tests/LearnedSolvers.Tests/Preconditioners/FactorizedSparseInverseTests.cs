using LearnedSolvers.Cli;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>Classical FSAI on the host: its defining equations against dense references, M's symmetry and definiteness, PCG, errors, the registry.</summary>
public class FactorizedSparseInverseTests
{
    public static TheoryData<int, int, int> SmallSpd => new()
    {
        { 7, 1, 1 }, { 7, 2, 2 }, { 13, 3, 1 }, { 13, 4, 2 }, { 13, 5, 3 }, { 31, 6, 1 }, { 31, 7, 2 }, { 31, 8, 3 },
    };

    /// <summary>The pattern of A^power by dense boolean products (with the diagonal), lower triangle.</summary>
    private static bool[,] DensePattern(CsrMatrix a, int power)
    {
        int n = a.Rows;
        var step = new bool[n, n];
        for (int i = 0; i < n; i++)
        {
            step[i, i] = true;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) step[i, a.ColumnIndices[k]] = true;
        }
        var reach = (bool[,])step.Clone();
        for (int p = 2; p <= power; p++)
        {
            var next = new bool[n, n];
            for (int i = 0; i < n; i++)
                for (int k = 0; k < n; k++)
                    if (reach[i, k])
                        for (int j = 0; j < n; j++) next[i, j] |= step[k, j];
            reach = next;
        }
        for (int i = 0; i < n; i++)
            for (int j = i + 1; j < n; j++) reach[i, j] = false;
        return reach;
    }

    /// <summary>Row by row with MathNet's dense LU: y = A[P, P]⁻¹ e_i, g = y / √y_i.</summary>
    private static double[,] DenseFsai(CsrMatrix a, bool[,] pattern)
    {
        int n = a.Rows;
        var dense = a.ToDense();
        var g = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            var p = Enumerable.Range(0, i + 1).Where(j => pattern[i, j]).ToArray();
            var sub = DenseMatrix.Create(p.Length, p.Length, (r, c) => dense[p[r], p[c]]);
            var e = new DenseVector(p.Length);
            e[p.Length - 1] = 1;
            var y = sub.LU().Solve(e);
            double scale = 1 / Math.Sqrt(y[p.Length - 1]);
            for (int r = 0; r < p.Length; r++) g[i, p[r]] = y[r] * scale;
        }
        return g;
    }

    private static double[,] Dense(SparseInverseFactor f) => f.G.ToDense();

    [Theory, MemberData(nameof(SmallSpd))]
    public void LowerPattern_IsTheLowerTriangleOfAToThePower(int n, int seed, int power)
    {
        var a = RandomSystems.Spd(n, seed, perRow: 4);
        var pattern = FactorizedSparseInverse.LowerPattern(a, power);
        var expected = DensePattern(a, power);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                Assert.True(expected[i, j] == (pattern.IndexOf(i, j) >= 0), $"({i}, {j}) power {power}");
        Assert.All(pattern.Values, v => Assert.Equal(0.0, v));
        if (power > 1)
        {
            var lower = FactorizedSparseInverse.LowerPattern(a, power - 1);
            for (int i = 0; i < n; i++)
                for (int k = lower.RowPointers[i]; k < lower.RowPointers[i + 1]; k++) Assert.True(pattern.IndexOf(i, lower.ColumnIndices[k]) >= 0);
            Assert.True(pattern.NonZeros >= lower.NonZeros);
        }
    }

    [Fact]
    public void LowerPattern_GrowsWithThePower_OnPoisson()
    {
        var a = Poisson.TwoD(9).Matrix;
        int[] counts = [.. Enumerable.Range(1, 3).Select(p => FactorizedSparseInverse.LowerPattern(a, p).NonZeros)];
        Assert.True(counts[0] < counts[1] && counts[1] < counts[2], string.Join(", ", counts));
        // Power 1 is A's lower triangle: 3 entries per interior row of the 5-point stencil.
        Assert.Equal((a.NonZeros + a.Rows) / 2, counts[0]);
    }

    [Theory, MemberData(nameof(SmallSpd))]
    public void G_MatchesADenseReference_AndSatisfiesTheFsaiEquations(int n, int seed, int power)
    {
        var a = RandomSystems.Spd(n, seed, perRow: 4);
        var factor = FactorizedSparseInverse.Compute(a, power);
        var pattern = DensePattern(a, power);
        var g = Dense(factor);
        var expected = DenseFsai(a, pattern);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++) Assert.True(Math.Abs(g[i, j] - expected[i, j]) <= 1e-12 * Math.Max(1, Math.Abs(expected[i, j])), $"G[{i},{j}]");

        var gm = DenseMatrix.OfArray(g);
        var am = DenseMatrix.OfArray(a.ToDense());
        var ga = gm * am;
        var gagt = ga * gm.Transpose();
        for (int i = 0; i < n; i++)
        {
            Assert.Equal(1.0, gagt[i, i], 1e-12);
            for (int j = 0; j < i; j++)
                if (pattern[i, j]) Assert.True(Math.Abs(ga[i, j]) <= 1e-12, $"(GA)[{i},{j}] = {ga[i, j]:G3}");
        }
    }

    [Theory]
    [InlineData(7, 11)]
    [InlineData(13, 12)]
    [InlineData(31, 13)]
    public void M_IsSymmetricPositiveDefinite(int n, int seed)
    {
        var a = RandomSystems.Spd(n, seed, perRow: 4);
        foreach (int power in new[] { 1, 2, 3 })
        {
            using var m = new FactorizedSparseInverse(a, power);
            Assert.True(m.IsSymmetric);
            for (int trial = 0; trial < 5; trial++)
            {
                var x = RandomSystems.Vector(n, seed * 10 + trial);
                var y = RandomSystems.Vector(n, seed * 10 + trial + 100);
                var mx = PreconditionerChecks.Apply(m, x);
                var my = PreconditionerChecks.Apply(m, y);
                double xmy = Dot(x, my), ymx = Dot(y, mx);
                Assert.True(Math.Abs(xmy - ymx) <= 1e-12 * Math.Max(1, Math.Abs(xmy)), $"xᵀMy = {xmy}, yᵀMx = {ymx}");
                Assert.True(Dot(x, mx) > 0);
            }
            // Gᵀ G through the device path is what the host reference computes.
            var r = RandomSystems.Vector(n, seed + 200);
            Assert.True(Reference.RelativeMaxError(PreconditionerChecks.Apply(m, r), m.Factor.Multiply(r)) <= 1e-14);
        }
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    private static int CgIterations(CsrMatrix a, double[] b, IPreconditioner? m)
    {
        var cpu = Device.Cpu;
        using var device = cpu.Upload(a);
        var x = cpu.Allocate(a.Rows);
        var result = new ConjugateGradient(device, m).Solve(cpu.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        double residual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
        Assert.True(residual <= 1e-8, $"true relative residual {residual:E3}");
        (m as IDisposable)?.Dispose();
        return result.Iterations;
    }

    public static TheoryData<string> Problems => ["poisson", "diffusion"];

    [Theory, MemberData(nameof(Problems))]
    public void Pcg_ConvergesInFewerIterations_ThanNoneAndJacobi_AndPowerTwoBeatsPowerOne(string problem)
    {
        var s = problem == "poisson"
            ? Poisson.TwoD(32)
            : Diffusion.Generate(new DiffusionOptions { GridSize = 32, TargetContrast = 100, Seed = 4 });
        int none = CgIterations(s.Matrix, s.RightHandSide, null);
        int jacobi = CgIterations(s.Matrix, s.RightHandSide, new Jacobi(s.Matrix));
        int fsai1 = CgIterations(s.Matrix, s.RightHandSide, new FactorizedSparseInverse(s.Matrix, 1));
        int fsai2 = CgIterations(s.Matrix, s.RightHandSide, new FactorizedSparseInverse(s.Matrix, 2));
        string counts = $"none {none}, jacobi {jacobi}, fsai1 {fsai1}, fsai2 {fsai2}";
        Assert.True(fsai1 < none && fsai1 < jacobi, counts);
        Assert.True(fsai2 < fsai1, counts);
    }

    [Fact]
    public void UpdateValues_MatchesAFreshBuild()
    {
        var a = Diffusion.Generate(new DiffusionOptions { GridSize = 24, TargetContrast = 100, Seed = 1 }).Matrix;
        var a2 = Diffusion.Generate(new DiffusionOptions { GridSize = 24, TargetContrast = 100, Seed = 2 }).Matrix;
        Assert.True(a.HasSamePattern(a2));
        using var m = new FactorizedSparseInverse(a, 2);
        var g = m.Factor.G;
        m.UpdateValues(a2);
        Assert.Same(g, m.Factor.G);
        var fresh = FactorizedSparseInverse.Compute(a2, 2);
        Assert.Equal(fresh.G.Values, m.Factor.G.Values);
        var r = RandomSystems.Vector(a.Rows, 3);
        using var freshM = new FactorizedSparseInverse(a2, 2);
        Assert.Equal(PreconditionerChecks.Apply(freshM, r), PreconditionerChecks.Apply(m, r));
        Assert.Contains("pattern", Assert.Throws<ArgumentException>(() => m.UpdateValues(RandomSystems.Spd(a.Rows, 9))).Message);
    }

    [Fact]
    public void BadMatrices_AreRefused_WithTypedErrors()
    {
        var rectangular = CsrMatrix.FromTriplets(2, 3, [0, 1], [0, 1], [1.0, 1.0]);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => FactorizedSparseInverse.Compute(rectangular)).Message);
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => FactorizedSparseInverse.LowerPattern(rectangular, 1)).Message);
        Assert.Contains("symmetric", Assert.Throws<ArgumentException>(() => FactorizedSparseInverse.Compute(RandomSystems.Nonsymmetric(9, 1))).Message);

        // [[1, 2], [2, 1]] is symmetric indefinite: row 1's system is A itself, whose second pivot is 1 − 4 = −3.
        var indefinite = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 2.0, 2.0, 1.0]);
        var e = Assert.Throws<ZeroPivotException>(() => FactorizedSparseInverse.Compute(indefinite));
        Assert.Equal(1, e.Row);
        Assert.Equal(-3.0, e.Pivot, 12);
        Assert.StartsWith("FSAI", e.Message);

        var zeroDiagonal = Poisson.TwoD(5).Matrix;
        zeroDiagonal = zeroDiagonal.WithValues(zeroDiagonal.Values.Select((v, k) => zeroDiagonal.RowOf(k) == 7 && zeroDiagonal.ColumnIndices[k] == 7 ? 0 : v).ToArray());
        e = Assert.Throws<ZeroPivotException>(() => new FactorizedSparseInverse(zeroDiagonal));
        Assert.True(e.Row <= 7, e.Message);
        var negative = CsrMatrix.FromTriplets(3, 3, [0, 1, 2], [0, 1, 2], [1.0, -2.0, 1.0]);
        e = Assert.Throws<ZeroPivotException>(() => FactorizedSparseInverse.Compute(negative));
        Assert.Equal(1, e.Row);
        Assert.Equal(-2.0, e.Pivot);
        // A missing diagonal entry is a zero one.
        var missing = CsrMatrix.FromTriplets(2, 2, [0], [0], [1.0]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => FactorizedSparseInverse.Compute(missing)).Row);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    [InlineData(-1)]
    public void PowerOutOfRange_IsRefused_NamingTheRange(int power)
    {
        var a = Poisson.TwoD(4).Matrix;
        foreach (var action in new Action[] { () => FactorizedSparseInverse.Compute(a, power), () => FactorizedSparseInverse.LowerPattern(a, power), () => _ = new FactorizedSparseInverse(a, power) })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(action);
            Assert.Equal("power", e.ParamName);
            Assert.Contains("1 to 3", e.Message);
        }
        var option = Assert.Throws<ArgumentOutOfRangeException>(() => new FsaiFactory(new FsaiOptions { Power = power }));
        Assert.Equal(nameof(FsaiOptions.Power), option.ParamName);
        Assert.Contains("1 to 3", option.Message);
    }

    [Fact]
    public void SparseInverseFactor_RefusesWhatIsNotAPositiveLowerTriangularFactor()
    {
        Assert.Contains("square", Assert.Throws<ArgumentException>(() => new SparseInverseFactor(CsrMatrix.FromTriplets(2, 3, [0, 1], [0, 1], [1.0, 1.0]))).Message);
        var upper = CsrMatrix.FromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [1.0, 0.5, 1.0]);
        var e = Assert.Throws<ArgumentException>(() => new SparseInverseFactor(upper));
        Assert.Contains("lower triangular", e.Message);
        Assert.Contains("row 0", e.Message);
        var zero = CsrMatrix.FromTriplets(2, 2, [0, 1, 1], [0, 0, 1], [1.0, 0.5, 0.0]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => new SparseInverseFactor(zero)).Row);
        var negative = CsrMatrix.FromTriplets(2, 2, [0, 1, 1], [0, 0, 1], [-1.0, 0.5, 1.0]);
        Assert.Equal(0, Assert.Throws<ZeroPivotException>(() => new SparseInverseFactor(negative)).Row);
        var missing = CsrMatrix.FromTriplets(2, 2, [0, 1], [0, 0], [1.0, 0.5]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => new SparseInverseFactor(missing)).Row);
    }

    [Fact]
    public void LearnedValues_OnTheSamePattern_AreAppliedByTheSameCode()
    {
        var a = Poisson.TwoD(10).Matrix;
        var pattern = FactorizedSparseInverse.LowerPattern(a, 2);
        var rng = new Random(5);
        for (int i = 0; i < pattern.Rows; i++)
            for (int k = pattern.RowPointers[i]; k < pattern.RowPointers[i + 1]; k++)
                pattern.Values[k] = pattern.ColumnIndices[k] == i ? 1 + rng.NextDouble() : 0.2 * (rng.NextDouble() - 0.5);
        var factor = new SparseInverseFactor(pattern);
        using var m = new SparseInverseFactorPreconditioner(factor);
        var r = RandomSystems.Vector(a.Rows, 6);
        Assert.True(Reference.RelativeMaxError(PreconditionerChecks.Apply(m, r), factor.Multiply(r)) <= 1e-14);
        Assert.True(PreconditionerChecks.SymmetryDefect(m, 7) < 1e-13);
    }

    [Fact]
    public void WarmApply_AllocatesNothing()
    {
        var a = Poisson.TwoD(24).Matrix;
        using var m = new FactorizedSparseInverse(a, 2);
        var r = Device.Cpu.Upload(RandomSystems.Vector(a.Rows, 8));
        var z = Device.Cpu.Allocate(a.Rows);
        m.Apply(r, z);
        var (_, bytes) = Allocations.Least(() =>
        {
            m.Apply(r, z);
            return 0;
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Registry_ListsFsai_AndItsPowerSetting_ConfiguresTheFactory()
    {
        Assert.Contains("fsai", PreconditionerRegistry.Names);
        var factory = Assert.IsType<FsaiFactory>(PreconditionerRegistry.Get("fsai", new Dictionary<string, string> { ["power"] = "2" }));
        Assert.Equal(2, factory.Options.Power);
        Assert.Equal(1, Assert.IsType<FsaiFactory>(PreconditionerRegistry.Get("FSAI")).Options.Power);
        Assert.Same(DeviceSupport.AllDevices, factory.Devices);
        Assert.True(factory.IsSymmetric && factory.IsLinear && factory.IsRefreshable);
        using var a = Device.Cpu.Upload(Poisson.TwoD(12).Matrix);
        using var m = factory.Create(a);
        Assert.Equal(2, m.Power);
        Assert.IsAssignableFrom<IRefreshablePreconditioner>(m);
        Assert.Same(a.Device, m.Device);
        Assert.Same(factory.GetType(), PreconditionerFactories.Fsai().GetType());

        var outOfRange = Assert.Throws<ArgumentOutOfRangeException>(() => PreconditionerRegistry.Get("fsai", new Dictionary<string, string> { ["power"] = "4" }));
        Assert.Equal(nameof(FsaiOptions.Power), outOfRange.ParamName);
        var notANumber = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("fsai", new Dictionary<string, string> { ["power"] = "two" }));
        Assert.Equal("power", notANumber.ParamName);
    }

    [Fact]
    public void TheCommandLine_SolvesWithFsai_AndRefusesABadPower()
    {
        string dir = Directory.CreateTempSubdirectory("ls-fsai-").FullName;
        try
        {
            string matrix = Path.Combine(dir, "A.mtx");
            MatrixMarketWriter.WriteMatrix(matrix, Poisson.TwoD(16).Matrix);
            var (code, output, err) = CliRunner.Run("solve", "--matrix", matrix, "--method", "pcg", "--precond", "fsai", "--power", "2");
            Assert.True(code == 0, err + output);
            Assert.Contains("fsai", output);
            (code, _, err) = CliRunner.Run("solve", "--matrix", matrix, "--method", "pcg", "--precond", "fsai", "--power", "5");
            Assert.Equal(2, code);
            Assert.Contains("1 to 3", err);
            (code, output, _) = CliRunner.Run("solve", "--help");
            Assert.Contains("--power", output);
            Assert.Contains("fsai", output);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
