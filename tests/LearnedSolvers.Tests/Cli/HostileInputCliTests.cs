using System.Diagnostics;
using LearnedSolvers.Cli;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>
/// Malformed files and absurd options, one of each kind: a documented exit code, one line on stderr, no stack trace,
/// no output file left behind.
/// </summary>
public sealed class HostileInputCliTests : IDisposable
{
    private const string General = "%%MatrixMarket matrix coordinate real general";
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-hostile-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string File(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    private string Out => Path.Combine(_dir, "out.file");

    private void AssertRefused(int expectedCode, string fragment, params string[] args)
    {
        var (code, _, err) = CliRunner.Run(args);
        var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(code == expectedCode, $"exit {code}: {err}");
        Assert.Single(lines);
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(fragment, lines[0]);
        Assert.DoesNotContain("   at ", err);
        Assert.DoesNotContain("(Parameter '", err);
        Assert.False(System.IO.File.Exists(Out), "an output file was left behind");
    }

    private string Small => File("small.mtx", General + "\n3 3 3\n1 1 2.0\n2 2 2.0\n3 3 2.0\n");

    [Fact]
    public void DeclaredSizeBeyondWhatTheFileHolds_IsRefusedBeforeReading() =>
        AssertRefused(ExitCodes.BadInput, "1000000000 x 1000000000 but only 1 entry",
            "solve", "--matrix", File("huge.mtx", General + "\n1000000000 1000000000 1\n1 1 1.0\n"), "--out", Out);

    [Fact]
    public void SizeAtInt32Limit_IsRefused() =>
        AssertRefused(ExitCodes.BadInput, "2147483647",
            "solve", "--matrix", File("max.mtx", General + "\n2147483647 2147483647 2147483647\n1 1 1.0\n"), "--out", Out);

    [Fact]
    public void RightHandSideOfAnotherSize_IsRefusedBeforeReadingIt() =>
        AssertRefused(ExitCodes.BadInput, "has 1000000000 entries; the matrix has 3 rows",
            "solve", "--matrix", Small, "--rhs", File("b.mtx", General + "\n1000000000 1 1\n1 1 1.0\n"), "--out", Out);

    [Fact]
    public void DatasetCount_BeyondMemory_GivesTheNumbers() =>
        AssertRefused(ExitCodes.BadInput, "2000000000 systems of --n 8 needs",
            "dataset", "--problem", "poisson", "--count", "2000000000", "--n", "8", "--out", Out);

    [Fact]
    public void BenchSizes_BeyondIndexLimits_GiveTheNumbers() =>
        AssertRefused(ExitCodes.BadInput, "--sizes 46000 gives", "bench", "gpu", "--sizes", "46000", "--device", "cpu");

    [Fact]
    public void Restart_BeyondMemory_GivesTheNumbers()
    {
        // n = 2 000 000 (one diagonal entry per row written by hand would be large; a symmetric file with a path graph is not needed):
        // a general file whose size line is consistent with its entries is enough to reach the basis check.
        int n = 200_000;
        var text = new System.Text.StringBuilder(General + $"\n{n} {n} {n}\n");
        for (int i = 1; i <= n; i++) text.Append(i).Append(' ').Append(i).Append(" 1\n");
        string path = File("diag.mtx", text.ToString());
        long restart = MemoryBudget.AvailableBytes / (8L * n) + 10;
        if (restart > int.MaxValue) return;
        AssertRefused(ExitCodes.BadInput, $"--restart {restart} on {n} unknowns needs", "solve", "--matrix", path, "--method", "gmres", "--restart", restart.ToString(), "--out", Out);
    }

    [Theory]
    [InlineData("dataset", "--contrast", "1e300")]
    [InlineData("dataset", "--contrast", "NaN")]
    [InlineData("dataset", "--rtol", "1")]
    [InlineData("dataset", "--perturbation", "-1")]
    [InlineData("generate", "--contrast", "1e300")]
    [InlineData("generate", "--peclet", "-1")]
    public void NonFiniteOrAbsurdParameters_AreRefused_NamingTheOption(string command, string option, string value)
    {
        string[] args = command == "dataset"
            ? ["dataset", "--problem", option == "--contrast" ? "diffusion" : "poisson", "--count", "3", "--n", "8", "--out", Out, option, value]
            : ["generate", "--problem", option == "--contrast" ? "diffusion" : "convdiff", "--n", "8", "--out", Out, option, value];
        AssertRefused(ExitCodes.BadInput, option, args);
    }

    [Theory]
    [InlineData("--rtol", "2")]
    [InlineData("--rtol", "NaN")]
    [InlineData("--recycle", "-1")]
    [InlineData("--recycle", "30")]
    public void SolveTolerancesAndRecycle_AreRefused_NamingTheOption(string option, string value) =>
        AssertRefused(ExitCodes.BadInput, option, "solve", "--matrix", Small, "--method", "gcrodr", "--restart", "30", option, value, "--out", Out);

    [Fact]
    public void AllowedValues_ArePrintedWhole_WithTheOption()
    {
        var (_, _, err) = CliRunner.Run("solve", "--matrix", Small, "--method", "foo");
        Assert.Contains("--method: ", err);
        Assert.Contains("'cg'", err);
        Assert.Contains("'dcdm'", err);
        AssertRefused(ExitCodes.BadInput, "'learned-fsai'", "solve", "--matrix", Small, "--precond", "nope", "--out", Out);
    }

    [Fact]
    public void PositionsInAFile_AreOneBased_AndSaturatedTokensQuoted()
    {
        AssertRefused(ExitCodes.BadInput, "row index 99999999999999999999999 is outside 1..1",
            "solve", "--matrix", File("tok.mtx", General + "\n1 1 1\n99999999999999999999999 1 1\n"), "--out", Out);
        AssertRefused(ExitCodes.SetupFailed, "diagonal entry of row 2",
            "solve", "--matrix", File("zd.mtx", General + "\n2 2 2\n1 1 1.0\n2 2 0\n"), "--precond", "jacobi", "--out", Out);
    }

    [Fact]
    public void Directory_IsCalledADirectory() =>
        AssertRefused(ExitCodes.BadInput, "is a directory", "solve", "--matrix", _dir, "--out", Out);

    [Fact]
    public void SymmetricFileWithBothTriangles_IsRefused_WithTheOptionToAcceptIt()
    {
        string path = File("both.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 3\n1 2 -1\n2 1 -1\n2 2 4\n");
        AssertRefused(ExitCodes.BadInput, "--accept-both-triangles", "solve", "--matrix", path, "--out", Out);
        var (code, _, err) = CliRunner.Run("solve", "--matrix", File("both2.mtx", "%%MatrixMarket matrix coordinate real symmetric\n2 2 4\n1 1 4\n1 2 -1\n2 1 -1\n2 2 4\n"), "--accept-both-triangles");
        Assert.True(code == 0, err);
    }

    /// <summary>Training sizes that cannot fit are refused from the options, before any system is solved or vector generated.</summary>
    [Theory]
    [InlineData("--n", "train", "precorrector", "--problem", "diffusion", "--n", "100000", "--count", "1000")]
    [InlineData("--hidden 100000", "train", "neuralpcg", "--problem", "poisson2d", "--n", "64", "--hidden", "100000")]
    [InlineData("--steps 100000", "train", "learned-fsai", "--problem", "poisson2d", "--n", "64", "--steps", "100000")]
    [InlineData("--channels 1000000", "train", "dcdm", "--problem", "poisson2d", "--n", "64", "--channels", "1000000")]
    [InlineData("--samples 100000000", "train", "dcdm", "--problem", "poisson2d", "--n", "64", "--samples", "100000000")]
    [InlineData("--batch 100000", "train", "dcdm", "--problem", "poisson2d", "--n", "64", "--samples", "100000", "--batch", "100000")]
    public void Train_RefusesSizesThatCannotFit_BeforeAnyWork(string fragment, params string[] args)
    {
        var clock = Stopwatch.StartNew();
        AssertRefused(ExitCodes.BadInput, fragment, [.. args, "--out", Out]);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(20), $"took {clock.Elapsed.TotalSeconds:F1} s: the check came after the work");
    }

    /// <summary>
    /// The whole process, measured: whatever size a 90-byte file declares, solve refuses it from the size line,
    /// well below the 100 MB bound (the runtime alone takes about 35 MB).
    /// </summary>
    [Theory]
    [InlineData("1000000000 1000000000 1")]
    [InlineData("2147483647 2147483647 1")]
    [InlineData("2000000000 2000000000 2000000000")]
    [InlineData("100000000 100000000 100000000")]
    public void Solve_OnAHugeDeclaredSize_PeaksBelow100MB(string sizeLine)
    {
        string path = File("huge.mtx", General + $"\n{sizeLine}\n1 1 1.0\n");
        string bin = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        // The CLI assembly runs with the test assembly's runtime and dependency files, which list everything it needs.
        foreach (var a in new[] { "exec", "--runtimeconfig", Path.Combine(bin, "LearnedSolvers.Tests.runtimeconfig.json"), "--depsfile",
            Path.Combine(bin, "LearnedSolvers.Tests.deps.json"), typeof(CliApp).Assembly.Location, "solve", "--matrix", path })
            start.ArgumentList.Add(a);
        start.Environment["LEARNEDSOLVERS_REPORT_PEAK_MEMORY"] = "1";
        using var process = Process.Start(start)!;
        string err = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the child did not finish");
        Assert.Equal(ExitCodes.BadInput, process.ExitCode);
        var peakLine = err.Split('\n').Single(l => l.StartsWith("peak-memory: ", StringComparison.Ordinal));
        long peakKb = long.Parse(peakLine["peak-memory: ".Length..].Replace("kB", "").Trim(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(peakKb < 100_000, $"peak {peakKb} kB: {err}");
        Assert.DoesNotContain("   at ", err);
    }
}
