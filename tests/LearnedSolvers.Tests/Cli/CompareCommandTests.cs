using System.Buffers.Binary;
using System.Text.RegularExpressions;
using LearnedSolvers.Cli;
using LearnedSolvers.Tests.TestSupport;
using SkiaSharp;

namespace LearnedSolvers.Tests.Cli;

/// <summary>`learnedsolvers compare`, `solve --plot` and `demo --report` on small generated systems.</summary>
public sealed class CompareCommandTests : IDisposable
{
    private static readonly string MethodList = "cg, pcg, fcg, gmres, fgmres, bicgstab, gcrodr";

    private readonly string _dir = Directory.CreateTempSubdirectory("ls-compare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathIn(string name) => Path.Combine(_dir, name);

    /// <summary>A 16² diffusion problem (SPD) or convection-diffusion problem (nonsymmetric) written by `generate`.</summary>
    private string Generate(string problem)
    {
        string path = PathIn($"{problem}.mtx");
        var (code, _, err) = CliRunner.Run("generate", "--problem", problem, "--n", "16", "--out", path);
        Assert.True(code == 0, err);
        return path;
    }

    private sealed record Row(string Method, string Preconditioner, string Iterations, string Residual, string Reason);

    /// <summary>The rows of the printed table: the lines after the dashes, up to the first blank line.</summary>
    private static List<Row> Table(string output)
    {
        var lines = output.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        int dashes = lines.FindIndex(l => l.StartsWith("---"));
        Assert.True(dashes > 0, output);
        return lines.Skip(dashes + 1).TakeWhile(l => l.Length > 0)
            .Select(l => Regex.Split(l, @"\s{2,}"))
            .Select(c => new Row(c[0], c[1], c[3], c[5], c[6]))
            .ToList();
    }

    [Fact]
    public void Compare_RunsDirectAndAuto_WhenNamed_AndRefusesAPreconditionerForThem()
    {
        string matrix = Path.Combine(SharedMatrices.Directory, "west0479.mtx");
        var (code, output, err) = CliRunner.Run("compare", "--matrix", matrix, "--methods", "direct,auto,gmres:ilu0");
        Assert.True(code == 0, err);
        var rows = Table(output);
        Assert.Equal(["direct", "auto", "gmres"], rows.Select(r => r.Method));
        Assert.All(rows.Take(2), r => Assert.Equal("ConvergedRelative", r.Reason));
        Assert.Contains("zero pivot", rows[2].Reason); // ILU(0) meets west0479's zero diagonal; direct and auto do not care
        var (refused, _, message) = CliRunner.Run("compare", "--matrix", matrix, "--methods", "direct:ilu0");
        Assert.Equal(ExitCodes.BadInput, refused);
        Assert.Contains("without :PRECOND", message);
    }

    [Fact]
    public void Compare_OnSpdMatrix_PrintsCgAndPcgRowsWithSeveralPreconditioners_AllConverged()
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("diffusion"));
        Assert.True(code == 0, err);
        var rows = Table(output);
        Assert.Contains(rows, r => r.Method == "cg" && r.Preconditioner == "none");
        var pcg = rows.Where(r => r.Method == "pcg").Select(r => r.Preconditioner).ToList();
        Assert.Superset(new HashSet<string> { "jacobi", "ssor", "ic0", "amg" }, pcg.ToHashSet());
        Assert.DoesNotContain(rows, r => r.Method is "cg" or "pcg" or "fcg" && r.Preconditioner == "ilu0");
        Assert.DoesNotContain(rows, r => r.Preconditioner is "neuralpcg" or "precorrector" or "learned-fsai");
        foreach (var row in rows)
        {
            Assert.True(row.Reason == "ConvergedRelative", $"{row.Method} + {row.Preconditioner}: {row.Reason}");
            Assert.True(double.Parse(row.Residual, System.Globalization.CultureInfo.InvariantCulture) <= 1e-8, $"{row.Method} + {row.Preconditioner}: {row.Residual}");
        }
    }

    [Fact]
    public void Compare_OnNonsymmetricMatrix_HasNoCgRows_AndHasGmresAndBiCgStabRows()
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("convdiff"));
        Assert.True(code == 0, err);
        var rows = Table(output);
        Assert.DoesNotContain(rows, r => r.Method is "cg" or "pcg" or "fcg");
        Assert.Contains(rows, r => r.Method == "gmres" && r.Preconditioner == "ilu0" && r.Reason == "ConvergedRelative");
        Assert.Contains(rows, r => r.Method == "bicgstab" && r.Reason == "ConvergedRelative");
    }

    [Fact]
    public void Compare_SetupFailure_IsARowWithItsReason_NotAnError()
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("convdiff"), "--methods", "gmres:ic0,gmres:ilu0");
        Assert.True(code == 0, err);
        var rows = Table(output);
        Assert.Equal(2, rows.Count);
        Assert.StartsWith("setup failed: ", rows[0].Reason);
        Assert.Equal("-", rows[0].Iterations);
        Assert.Equal("ConvergedRelative", rows[1].Reason);
    }

    [Fact]
    public void Compare_NotConverged_IsARowWithItsStopReason()
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("diffusion"), "--methods", "cg", "--maxit", "3");
        Assert.True(code == 0, err);
        var row = Assert.Single(Table(output));
        Assert.Equal("3", row.Iterations);
        Assert.NotEqual("ConvergedRelative", row.Reason);
    }

    [Theory]
    [InlineData("pcg:ic0,sor", "unknown method 'sor'", "cg, pcg, fcg, gmres, fgmres, bicgstab, gcrodr")]
    [InlineData("pcg:ilu1", "unknown preconditioner 'ilu1'", "none, jacobi, ssor, ic0, ilu0")]
    [InlineData("cg:ilu0", "cg needs a symmetric preconditioner", "ilu0")]
    [InlineData("pcg:ic0:x", "not METHOD or METHOD:PRECOND", "pcg:ic0:x")]
    public void Compare_BadMethodsEntry_ExitsWith2_NamingTheAllowedValues(string methods, string fragment, string allowed)
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("diffusion"), "--methods", methods);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        var line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line);
        Assert.Contains(fragment, line);
        Assert.Contains(allowed, line);
        Assert.Contains(MethodList, CliRunner.Run("compare", "--matrix", PathIn("diffusion.mtx"), "--methods", "x").Err);
    }

    [Fact]
    public void Compare_MethodsSelection_RunsThePairsNamed_InOrder()
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("diffusion"), "--methods", "pcg:ic0, gmres:ilu0, cg, pcg:ic0");
        Assert.True(code == 0, err);
        Assert.Equal(["pcg:ic0", "gmres:ilu0", "cg:none"], Table(output).Select(r => $"{r.Method}:{r.Preconditioner}"));
    }

    [Fact]
    public void Compare_Report_WritesMarkdown_TwoNonBlankPlots_AndHistoriesThatRoundTripToTheTable()
    {
        string report = PathIn("report");
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("diffusion"), "--methods", "cg,pcg:ic0,gmres:ilu0,bicgstab:jacobi", "--report", report);
        Assert.True(code == 0, err);
        var rows = Table(output);
        Assert.Equal(4, rows.Count);

        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("| method | preconditioner | setup ms | iterations | solve ms | true residual | stop reason |", markdown);
        Assert.Contains("| pcg | ic0 |", markdown);
        Assert.Contains("256 x 256", markdown);
        Assert.Contains("Symmetric: yes", markdown);
        Assert.Contains("compare --matrix", markdown);
        Assert.Contains("spread evenly", markdown);
        Assert.Contains("(convergence.png)", markdown);
        Assert.Contains("(convergence-time.png)", markdown);

        foreach (var png in new[] { "convergence.png", "convergence-time.png" })
            AssertNonBlankPng(Path.Combine(report, png), ConvergencePlot.Width, ConvergencePlot.HeightFor(rows.Count));

        var history = HistoryCsv.Read(Path.Combine(report, "histories.csv"));
        foreach (var row in rows)
        {
            var points = history.Where(p => p.Method == row.Method && p.Preconditioner == row.Preconditioner).ToList();
            Assert.Equal(Enumerable.Range(0, int.Parse(row.Iterations) + 1), points.Select(p => p.Iteration));
            Assert.Equal(1.0, points[0].RelativeResidual, 1e-12);
            Assert.True(points[^1].RelativeResidual <= 1e-8, $"{row.Method} + {row.Preconditioner}: {points[^1].RelativeResidual}");
            Assert.True(points.Zip(points.Skip(1)).All(p => p.Second.Seconds >= p.First.Seconds), "time runs forward");
        }
        Assert.Equal(history.Count, rows.Sum(r => int.Parse(r.Iterations) + 1));
        Assert.Equal(["convergence-time.png", "convergence.png", "histories.csv", "report.md"],
            Directory.GetFiles(report).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Compare_WithModel_AddsThatLearnedPreconditioner_AndOnlyThatOne()
    {
        var (code, output, err) = CliRunner.Run("compare", "--matrix", Generate("diffusion"), "--methods", "pcg", "--model", DemoCommand.ShippedFactorModelPath);
        Assert.True(code == 0, err);
        var rows = Table(output);
        var learned = Assert.Single(rows, r => r.Preconditioner is "neuralpcg" or "precorrector" or "learned-fsai");
        Assert.Equal("precorrector", learned.Preconditioner);
        Assert.Equal("ConvergedRelative", learned.Reason);
    }

    [Fact]
    public void Solve_Plot_WritesANonBlankPngOfTheExpectedSize()
    {
        string plot = PathIn("conv.png");
        var (code, _, err) = CliRunner.Run("solve", "--matrix", Generate("diffusion"), "--method", "pcg", "--precond", "ic0", "--plot", plot);
        Assert.True(code == 0, err);
        AssertNonBlankPng(plot, ConvergencePlot.Width, ConvergencePlot.HeightFor(1));
    }

    [Fact]
    public void Demo_Report_WritesTheReportForTheBuiltInProblem()
    {
        string report = PathIn("demo");
        var (code, output, err) = CliRunner.Run("demo", "--n", "16", "--report", report);
        Assert.True(code == 0, err);
        var markdown = File.ReadAllText(Path.Combine(report, "report.md"));
        Assert.Contains("built-in problem", markdown);
        Assert.Contains("| dcdm | network |", markdown);
        Assert.Contains("demo --n 16 --report", markdown);
        int rows = Table(output).Count;
        AssertNonBlankPng(Path.Combine(report, "convergence.png"), ConvergencePlot.Width, ConvergencePlot.HeightFor(rows));
        Assert.Equal(rows, HistoryCsv.Read(Path.Combine(report, "histories.csv")).Select(p => (p.Method, p.Preconditioner)).Distinct().Count());
    }

    /// <summary>The PNG signature, IHDR's width and height, and more than one colour among the decoded pixels.</summary>
    private static void AssertNonBlankPng(string path, int width, int height)
    {
        var bytes = File.ReadAllBytes(path);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], bytes[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(bytes, 12, 4));
        Assert.Equal(width, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16)));
        Assert.Equal(height, BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20)));
        using var image = SKBitmap.Decode(bytes);
        Assert.NotNull(image);
        Assert.True(image.Pixels.Distinct().Count() > 2, $"{path} is blank");
    }
}
