using System.Text.Json;
using LearnedSolvers.Cli;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>The `learnedsolvers` commands run in-process, with their output captured.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private string PathIn(string name) => Path.Combine(_dir, name);

    private static void AssertOneLineError(string err, string expectedFragment)
    {
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(expectedFragment, lines[0]);
        Assert.DoesNotContain("   at ", err);
    }

    [Fact]
    public void Solve_Json_ReportsTrueResidual_AndWritesSolution()
    {
        var xPath = PathIn("x.mtx");
        var (code, output, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "pcg", "--precond", "ic0", "--out", xPath, "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        var r = json.RootElement;
        Assert.Equal("pcg", r.GetProperty("method").GetString());
        Assert.Equal("ic0", r.GetProperty("preconditioner").GetString());
        Assert.Equal("cpu", r.GetProperty("device").GetString());
        Assert.Equal(3081, r.GetProperty("rows").GetInt32());
        Assert.True(r.GetProperty("converged").GetBoolean());
        Assert.Equal("ConvergedRelative", r.GetProperty("reason").GetString());
        Assert.True(r.GetProperty("iterations").GetInt32() > 0);
        Assert.True(r.GetProperty("seconds").GetDouble() >= 0);

        // The reported residual is the true one: recompute it from the written x and b = A * ones.
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("ani4"));
        var x = MatrixMarketReader.ReadVector(xPath);
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Rows).ToArray());
        double trueResidual = Reference.TrueRelativeResidual(a, x, b);
        Assert.True(trueResidual <= 1e-8);
        Assert.Equal(trueResidual, r.GetProperty("relativeResidual").GetDouble(), 1e-12);
    }

    [Fact]
    public void Solve_OnIlgpuCpuDevice_ReportsItAndConverges()
    {
        var (code, output, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani1"), "--method", "pcg", "--device", "ilgpu-cpu", "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("ilgpu-cpu", json.RootElement.GetProperty("device").GetString());
        Assert.True(json.RootElement.GetProperty("converged").GetBoolean());
    }

    [Fact]
    public void Solve_OnCudaWithoutGpu_IsAUsageError_SayingNoGpuWasFound()
    {
        Assert.SkipWhen(LearnedSolvers.Devices.Ilgpu.IlgpuDeviceRegistry.TryGetCuda(out _) is not null, "This machine has a CUDA GPU.");
        var (code, _, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani1"), "--device", "cuda");
        Assert.Equal(2, code);
        AssertOneLineError(err, "no CUDA GPU was found");
    }

    [Theory]
    [InlineData("ic0")]
    [InlineData("ilu0")]
    [InlineData("ssor")]
    public void Solve_WithTriangularFactorPreconditioner_ConvergesOnIlgpuCpu(string precond)
    {
        var (code, output, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani1"), "--method", "gmres", "--precond", precond, "--device", "ilgpu-cpu", "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("ilgpu-cpu", json.RootElement.GetProperty("device").GetString());
        Assert.Equal(precond, json.RootElement.GetProperty("preconditioner").GetString());
        Assert.True(json.RootElement.GetProperty("converged").GetBoolean(), output);
    }

    [Fact]
    public void Solve_WithRhsFile_UsesIt()
    {
        var a = RandomSystems.Nonsymmetric(300, 5);
        var b = RandomSystems.Vector(300, 6);
        MatrixMarketWriter.WriteMatrix(PathIn("a.mtx"), a);
        MatrixMarketWriter.WriteVector(PathIn("b.mtx"), b);
        var (code, output, err) = Run("solve", "--matrix", PathIn("a.mtx"), "--rhs", PathIn("b.mtx"), "--method", "gmres", "--precond", "ilu0", "--restart", "20", "--out", PathIn("x.mtx"));
        Assert.True(code == 0, err);
        Assert.Contains("ConvergedRelative", output);
        Assert.True(Reference.TrueRelativeResidual(a, MatrixMarketReader.ReadVector(PathIn("x.mtx")), b) <= 1e-8);
    }

    [Theory]
    [InlineData("pcg", "jacobi")]
    [InlineData("gmres", "ilu0")]
    public void Solve_WithSeveralRightHandSides_SolvesEachColumn_AndWritesAnArray(string method, string precond)
    {
        const int n = 300, k = 3;
        var a = RandomSystems.Spd(n, 7);
        var b = new DenseColumns(n, k, RandomSystems.Vector(n * k, 8));
        MatrixMarketWriter.WriteMatrix(PathIn("a.mtx"), a);
        MatrixMarketWriter.WriteColumns(PathIn("b.mtx"), b);
        var (code, output, err) = Run("solve", "--matrix", PathIn("a.mtx"), "--rhs", PathIn("b.mtx"), "--method", method, "--precond", precond, "--out", PathIn("x.mtx"));
        Assert.True(code == 0, err);
        Assert.Contains("3 right-hand sides", output);
        Assert.Contains("column 3: ConvergedRelative", output);
        Assert.Contains("3 of 3 converged", output);
        var x = MatrixMarketReader.ReadColumns(PathIn("x.mtx"));
        Assert.Equal((n, k), (x.Rows, x.Columns));
        for (int j = 0; j < k; j++)
            Assert.True(Reference.TrueRelativeResidual(a, x.Column(j).ToArray(), b.Column(j).ToArray()) <= 1e-8);

        (code, output, err) = Run("solve", "--matrix", PathIn("a.mtx"), "--rhs", PathIn("b.mtx"), "--method", method, "--precond", precond, "--json");
        Assert.True(code == 0, err);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(k, json.RootElement.GetArrayLength());
        Assert.All(json.RootElement.EnumerateArray(), c => Assert.True(c.GetProperty("converged").GetBoolean()));
    }

    [Fact]
    public void Solve_Ic0WithShiftAuto_GrowsTheShift_WhereThePlainFactorizationBreaksDown()
    {
        MatrixMarketWriter.WriteMatrix(PathIn("kershaw.mtx"), LearnedSolvers.Tests.Preconditioners.IncompleteCholesky0Tests.Kershaw());
        var (code, _, err) = Run("solve", "--matrix", PathIn("kershaw.mtx"), "--method", "pcg", "--precond", "ic0");
        Assert.Equal(3, code);
        Assert.Contains("pivot", err);
        (code, var output, err) = Run("solve", "--matrix", PathIn("kershaw.mtx"), "--method", "pcg", "--precond", "ic0", "--shift", "auto");
        Assert.True(code == 0, err);
        Assert.Contains("ConvergedRelative", output);
        (code, _, err) = Run("solve", "--matrix", PathIn("kershaw.mtx"), "--method", "pcg", "--precond", "ic0", "--shift", "-1");
        Assert.Equal(2, code);
        AssertOneLineError(err, "--shift must be a number ≥ 0 or auto");
    }

    [Fact]
    public void Solve_RhsWithWrongRowCount_SaysSo()
    {
        MatrixMarketWriter.WriteMatrix(PathIn("a.mtx"), RandomSystems.Spd(30, 7));
        MatrixMarketWriter.WriteColumns(PathIn("b.mtx"), new DenseColumns(29, 2, new double[58]));
        var (code, _, err) = Run("solve", "--matrix", PathIn("a.mtx"), "--rhs", PathIn("b.mtx"));
        Assert.Equal(2, code);
        AssertOneLineError(err, "has 29 rows; the matrix has 30");
    }

    [Fact]
    public void Solve_NotConverged_ExitsOne_WithReason()
    {
        var (code, output, _) = Run("solve", "--matrix", SharedMatrices.PathOf("1138_bus"), "--method", "cg", "--maxit", "5", "--json");
        Assert.Equal(1, code);
        using var json = JsonDocument.Parse(output);
        Assert.False(json.RootElement.GetProperty("converged").GetBoolean());
        Assert.Equal("MaxIterations", json.RootElement.GetProperty("reason").GetString());
        Assert.Equal(5, json.RootElement.GetProperty("iterations").GetInt32());
    }

    [Theory]
    [InlineData("solve --matrix A.mtx --method nosuch", "nosuch")]
    [InlineData("solve --method cg", "--matrix")]
    [InlineData("solve --matrix A.mtx --rtol abc", "abc")]
    [InlineData("solve --matrix A.mtx --device tpu", "tpu")]
    [InlineData("solve --matrix A.mtx --restart 0", "--restart")]
    [InlineData("solve --matrix A.mtx --rtol -1", "tolerance")]
    [InlineData("generate --problem poisson2d --n 0 --out A.mtx", "n")]
    [InlineData("generate --problem poisson2d --n 4 --contrast 10 --out A.mtx", "diffusion")]
    [InlineData("frobnicate", "frobnicate")]
    public void BadArguments_EndWithOneLine_AndExitCodeTwo(string commandLine, string expected)
    {
        var args = commandLine.Split(' ').Select(t => t == "A.mtx" ? SharedMatrices.PathOf("ani1") : t).ToArray();
        var (code, _, err) = Run(args);
        Assert.Equal(2, code);
        AssertOneLineError(err, expected);
    }

    [Fact]
    public void MissingFile_ExitsTwo()
    {
        var (code, _, err) = Run("solve", "--matrix", PathIn("nope.mtx"));
        Assert.Equal(2, code);
        AssertOneLineError(err, "nope.mtx");
    }

    [Fact]
    public void MalformedFile_ExitsTwo_NamingFileAndLine()
    {
        File.WriteAllText(PathIn("bad.mtx"), "%%MatrixMarket matrix coordinate real general\n3 3 2\n1 1 4.0\n2 x 1.0\n");
        var (code, _, err) = Run("solve", "--matrix", PathIn("bad.mtx"));
        Assert.Equal(2, code);
        AssertOneLineError(err, "bad.mtx line 4");
    }

    [Fact]
    public void RhsOfWrongLength_ExitsTwo()
    {
        MatrixMarketWriter.WriteVector(PathIn("b.mtx"), new double[] { 1, 2, 3 });
        var (code, _, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani1"), "--rhs", PathIn("b.mtx"));
        Assert.Equal(2, code);
        AssertOneLineError(err, "3 entries");
    }

    [Fact]
    public void ZeroPivotInIlu0_ExitsThree_NamingTheRow()
    {
        var (code, _, err) = Run("solve", "--matrix", SharedMatrices.PathOf("west0479"), "--method", "gmres", "--precond", "ilu0");
        Assert.Equal(3, code);
        AssertOneLineError(err, "row");
    }

    [Theory]
    [InlineData("poisson2d", 12, 144)]
    [InlineData("poisson3d", 5, 125)]
    [InlineData("diffusion", 16, 256)]
    [InlineData("convdiff", 10, 100)]
    public void Generate_WritesReadableProblem(string problem, int n, int rows)
    {
        var (code, output, err) = Run("generate", "--problem", problem, "--n", n.ToString(), "--seed", "3", "--out", PathIn("A.mtx"), "--rhs-out", PathIn("b.mtx"));
        Assert.True(code == 0, err);
        Assert.Contains(PathIn("A.mtx"), output);
        var a = MatrixMarketReader.ReadMatrix(PathIn("A.mtx"));
        Assert.Equal(rows, a.Rows);
        Assert.Equal(rows, MatrixMarketReader.ReadVector(PathIn("b.mtx")).Length);
        Assert.Equal(problem != "convdiff", a.IsSymmetric());
    }

    [Fact]
    public void Generate_DiscontinuousDiffusion_SolvesWithIc0Pcg()
    {
        var (code, _, err) = Run("generate", "--problem", "diffusion", "--n", "24", "--contrast", "1e6", "--discontinuous", "--out", PathIn("A.mtx"), "--rhs-out", PathIn("b.mtx"));
        Assert.True(code == 0, err);
        var (solveCode, output, solveErr) = Run("solve", "--matrix", PathIn("A.mtx"), "--rhs", PathIn("b.mtx"), "--method", "pcg", "--precond", "ic0", "--json");
        Assert.True(solveCode == 0, solveErr + output);
    }

    [Fact]
    public void Demo_PrintsEveryMethod_WithConvergedTrueResiduals()
    {
        var (code, output, err) = Run("demo", "--n", "40");
        Assert.True(code == 0, err);
        foreach (var method in new[] { "cg", "pcg", "fcg", "gmres", "bicgstab", "dcdm", "direct", "auto" }) Assert.Contains(method, output);
        Assert.True(File.Exists(DemoCommand.ShippedModelPath), "the DCDM model is copied beside the tool");
        Assert.True(File.Exists(DemoCommand.ShippedFactorModelPath), "the PreCorrector model is copied beside the tool");
        Assert.Equal(15, output.Split('\n').Count(l => l.Contains("ConvergedRelative")));
        Assert.Contains("fsai", output);
        Assert.Contains("precorrector", output);
        Assert.Contains("amg", output);
        Assert.Contains("gmg", output);
    }

    [Fact]
    public void Solve_WithGeometricMultigrid_OnAGeneratedGrid_PrintsTheHierarchy()
    {
        var (code, _, err) = Run("generate", "--problem", "poisson2d", "--n", "48", "--out", PathIn("A.mtx"), "--rhs-out", PathIn("b.mtx"));
        Assert.True(code == 0, err);
        var (solveCode, output, solveErr) = Run("solve", "--matrix", PathIn("A.mtx"), "--rhs", PathIn("b.mtx"), "--method", "pcg", "--precond", "gmg", "--mg-summary");
        Assert.True(solveCode == 0, solveErr + output);
        Assert.Contains("geometric multigrid", output);
        Assert.Contains("operator complexity", output);
        Assert.Contains("ConvergedRelative", output);
    }

    [Fact]
    public void Solve_WithAmg_OnARealMatrix_Converges_AndGmgRefusesIt()
    {
        var (code, output, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "pcg", "--precond", "amg", "--json");
        Assert.True(code == 0, err + output);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("relativeResidual").GetDouble() <= 1e-8);

        var (gmgCode, _, gmgErr) = Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "pcg", "--precond", "gmg");
        Assert.Equal(2, gmgCode);
        AssertOneLineError(gmgErr, "geometric multigrid");
    }

    [Fact]
    public void Dataset_WritesAReadableFile_WithVerifiedSolutions_AndASummary()
    {
        var path = PathIn("data.h5");
        var (code, output, err) = Run("dataset", "--problem", "diffusion", "--count", "6", "--n", "12", "--recycle", "5", "--restart", "20", "--out", path, "--baseline");
        Assert.True(code == 0, err + output);
        Assert.Contains("speedup against the baseline", output);
        Assert.Contains("gcrodr(20,5) skr", output);
        var data = LearnedSolvers.Sequences.SequenceDataset.Read(path);
        Assert.Equal(6, data.Count);
        var systems = DatasetCommand.Family("diffusion", 12, 6, null, 0.3, 0).ToList();
        for (int i = 0; i < 6; i++)
        {
            var x = Enumerable.Range(0, data.Unknowns).Select(j => data.Solutions[i, j]).ToArray();
            Assert.True(Reference.TrueRelativeResidual(systems[i].Matrix, x, systems[i].RightHandSide) <= 1e-8);
        }
    }

    [Theory]
    [InlineData("dataset --problem heat --count 3 --n 8 --out X", "heat")]
    [InlineData("dataset --problem poisson --count 0 --n 8 --out X", "--count")]
    [InlineData("dataset --problem poisson --count 2 --n 8 --contrast 10 --out X", "diffusion")]
    public void Dataset_BadArguments_EndWithOneLine(string commandLine, string expected)
    {
        var (code, _, err) = Run(commandLine.Replace("X", PathIn("x.h5")).Split(' '));
        Assert.Equal(2, code);
        AssertOneLineError(err, expected);
    }

    [Theory]
    [InlineData("cpu")]
    [InlineData("ilgpu-cpu")]
    public void BenchGpu_PrintsARowPerSize_WithCopyBandwidth(string device)
    {
        var (code, output, err) = Run("bench", "gpu", "--device", device, "--sizes", "8,16", "--iterations", "3", "--repeats", "2");
        Assert.True(code == 0, err);
        Assert.Contains($"device {device}; copy bandwidth", output);
        Assert.Contains("|      8 | csr", output);
        Assert.Contains("|     16 | csr", output);
        if (device == "ilgpu-cpu") Assert.Contains("|     16 | sell", output);
    }

    [Theory]
    [InlineData("bench gpu --sizes 1", "--sizes")]
    [InlineData("bench gpu --sizes abc", "abc")]
    [InlineData("bench gpu --device cpu --iterations 0", "--iterations")]
    public void BenchGpu_BadArguments_EndWithOneLine(string commandLine, string expected)
    {
        var (code, _, err) = Run(commandLine.Split(' '));
        Assert.Equal(2, code);
        AssertOneLineError(err, expected);
    }

    [Fact]
    public void Solve_WithGcroDr_AndSsorOmega_Converge()
    {
        var (code, output, err) = Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "gcrodr", "--restart", "20", "--recycle", "5", "--json");
        Assert.True(code == 0, err + output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("gcrodr", json.RootElement.GetProperty("method").GetString());
        Assert.True(json.RootElement.GetProperty("relativeResidual").GetDouble() <= 1e-8);
        var (ssorCode, ssorOut, ssorErr) = Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "pcg", "--precond", "ssor", "--omega", "1.4");
        Assert.True(ssorCode == 0, ssorErr + ssorOut);
        var (badCode, _, badErr) = Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--precond", "ssor", "--omega", "2");
        Assert.Equal(2, badCode);
        AssertOneLineError(badErr, "--omega");
    }
}
