using System.Diagnostics;
using System.Text.Json;
using LearnedSolvers.Cli;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>`solve --method direct` and `--method auto` as a user runs them, and with SuiteSparse hidden by its environment switch.</summary>
public sealed class DirectAndAutoCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-direct-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public static TheoryData<string> Matrices => new(SharedMatrices.Index().Select(m => m.Name));

    [Theory, MemberData(nameof(Matrices))]
    public void Direct_Json_ReachesResidual1e12_AndNamesItsBackend(string name)
    {
        var (code, output, err) = CliRunner.Run("solve", "--matrix", SharedMatrices.PathOf(name), "--method", "direct", "--rtol", "1e-12", "--json");
        Assert.True(code == ExitCodes.Success, err + output);
        using var json = JsonDocument.Parse(output);
        Assert.True(json.RootElement.GetProperty("relativeResidual").GetDouble() <= 1e-12);
        Assert.Equal("direct", json.RootElement.GetProperty("method").GetString());
        var backend = json.RootElement.GetProperty("preconditioner").GetString();
        Assert.Contains(backend, new[] { "Klu", "Umfpack", "Cholmod", "ManagedLu", "ManagedCholesky" });
        Assert.Contains("fill", json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Auto_ListsWhatItTried_AndConverges()
    {
        var (code, output, err) = CliRunner.Run("solve", "--matrix", SharedMatrices.PathOf("west0479"), "--method", "auto");
        Assert.True(code == ExitCodes.Success, err + output);
        Assert.Contains("tried direct", output);
        Assert.Contains("ConvergedRelative", output);
    }

    [Fact]
    public void Auto_WithSeveralRightHandSides_SolvesEachColumn()
    {
        string rhs = Path.Combine(_dir, "b.mtx");
        File.WriteAllText(rhs, "%%MatrixMarket matrix array real general\n3 2\n1\n2\n3\n4\n5\n6\n");
        string a = Path.Combine(_dir, "a.mtx");
        File.WriteAllText(a, "%%MatrixMarket matrix coordinate real general\n3 3 5\n1 1 0\n1 2 2\n2 1 3\n2 2 1\n3 3 4\n");
        var (code, output, err) = CliRunner.Run("solve", "--matrix", a, "--rhs", rhs, "--method", "auto", "--json");
        Assert.True(code == ExitCodes.Success, err + output);
        using var json = JsonDocument.Parse(output);
        Assert.Equal(2, json.RootElement.GetArrayLength());
        Assert.All(json.RootElement.EnumerateArray(), r => Assert.True(r.GetProperty("relativeResidual").GetDouble() <= 1e-8));
    }

    [Fact]
    public void Direct_OnASingularMatrix_StopsWithSingular()
    {
        string a = Path.Combine(_dir, "singular.mtx");
        File.WriteAllText(a, "%%MatrixMarket matrix coordinate real general\n3 3 4\n1 1 1\n1 2 2\n2 1 2\n2 2 4\n");
        var (code, output, _) = CliRunner.Run("solve", "--matrix", a, "--method", "direct", "--json");
        Assert.Equal(ExitCodes.NotConverged, code);
        using var json = JsonDocument.Parse(output);
        Assert.Equal("Singular", json.RootElement.GetProperty("reason").GetString());
        Assert.Contains("singular", json.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public void Direct_RefusesAPreconditioner()
    {
        var (code, _, err) = CliRunner.Run("solve", "--matrix", SharedMatrices.PathOf("ani1"), "--method", "direct", "--precond", "ilu0");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--precond ilu0 applies to Krylov methods", err);
    }

    /// <summary>The environment switch hides SuiteSparse from a fresh process: every shared matrix still solves, with our factorizations.</summary>
    [Fact]
    public void WithSuiteSparseHidden_TheManagedFactorizationsSolveEverySharedMatrix()
    {
        foreach (var (name, spd) in SharedMatrices.Index())
        {
            var (code, output, err) = RunChild(SuiteSparseLibrary.SwitchVariable, "off",
                "solve", "--matrix", SharedMatrices.PathOf(name), "--method", "direct", "--rtol", "1e-12", "--json");
            Assert.True(code == ExitCodes.Success, $"{name}: {err}{output}");
            using var json = JsonDocument.Parse(output);
            Assert.Equal(spd ? "ManagedCholesky" : "ManagedLu", json.RootElement.GetProperty("preconditioner").GetString());
            Assert.True(json.RootElement.GetProperty("relativeResidual").GetDouble() <= 1e-12, name);
            Assert.Contains("hidden by LEARNEDSOLVERS_SUITESPARSE=off", json.RootElement.GetProperty("message").GetString());
        }
    }

    /// <summary>The CLI in a child process with the test assembly's runtime and dependency files, and one environment variable set.</summary>
    private static (int Code, string Out, string Err) RunChild(string variable, string value, params string[] args)
    {
        string bin = AppContext.BaseDirectory;
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "exec", "--runtimeconfig", Path.Combine(bin, "LearnedSolvers.Tests.runtimeconfig.json"), "--depsfile",
            Path.Combine(bin, "LearnedSolvers.Tests.deps.json"), typeof(CliApp).Assembly.Location })
            start.ArgumentList.Add(a);
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment[variable] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        string err = process.StandardError.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), "the child did not finish");
        return (process.ExitCode, stdout.Result, err);
    }
}
