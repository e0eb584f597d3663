using System.Diagnostics;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Interop;

/// <summary>
/// The C ABI (native/): builds liblearnedsolvers, its examples and its C checks with CMake and runs CTest, so that the
/// README's one test command covers the C, C++, Fortran and Python callers. The managed half is the one this test run built
/// (src/LearnedSolvers.Native, referenced by the test project for the build order), copied rather than rebuilt.
/// </summary>
public class NativeAbiTests(ITestOutputHelper output)
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(5);

    [Fact]
    public void CTest_BuildsAndPassesEveryExample()
    {
        string report = BuildAndRunCTest();
        Assert.Contains(" 0 tests failed", report);
        // Each example whose toolchain is here must have run: a silently unregistered example is a failure too.
        var expected = new List<string> { "solver_kinds", "c" };
        if (Which("c++") is not null || Which("g++") is not null || Which("clang++") is not null) expected.Add("cpp");
        if (Which("gfortran") is not null) expected.Add("fortran");
        if (Which("python3") is not null) expected.Add("python");
        foreach (string name in expected)
            Assert.Matches($@"Test\s+#\d+: {name} \.+\s+Passed", report);
    }

    /// <summary>
    /// native/tests/solver_kinds.c: "direct" and "auto" solve one shared nonsymmetric matrix (one and three right-hand
    /// sides, true residuals recomputed in C), both follow a value update, both stop with LS_SINGULAR on a matrix with a
    /// zero row, a preconditioner with either is LS_ERROR_UNSUPPORTED, and ls_names lists both methods.
    /// </summary>
    [Fact]
    public void DirectAndAuto_SolveThroughTheCAbi_AndReportASingularMatrix()
    {
        string report = BuildAndRunCTest("-R", "^solver_kinds$", "--verbose");
        Assert.Contains("all checks passed", report);
        Assert.Contains("direct after a value update", report);
        Assert.Matches(@"direct\s+singular matrix: singular", report);
        Assert.Matches(@"auto\s+singular matrix: singular", report);
        Assert.Matches(@"Test\s+#\d+: solver_kinds \.+\s+Passed", report);
    }

    /// <summary>Configures and builds native/ in the test's output folder, then runs CTest with <paramref name="filter"/>; returns its report.</summary>
    private string BuildAndRunCTest(params string[] filter)
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "native/ hosts .NET through the Linux hostfxr here; other systems are not built.");
        string? cmake = Which("cmake"), ctest = Which("ctest");
        Assert.SkipWhen(cmake is null || ctest is null, "cmake/ctest not on PATH (apt-get install cmake): the C ABI is not built.");
        string? cc = Environment.GetEnvironmentVariable("CC") is { Length: > 0 } fromEnv ? fromEnv : Which("cc") ?? Which("gcc") ?? Which("clang");
        Assert.SkipWhen(cc is null, "no C compiler on PATH (cc, gcc, clang or $CC): the C ABI is not built.");

        string build = Path.Combine(AppContext.BaseDirectory, "native-build");
        string managed = RepositoryFiles.PathOf("src", "LearnedSolvers.Native", "bin", Configuration, "net10.0");
        var configure = new List<string> { "-S", RepositoryFiles.PathOf("native"), "-B", build, "-DCMAKE_BUILD_TYPE=Release" };
        // Without the solution's build (a test run of this project alone), CMake runs dotnet build itself.
        if (File.Exists(Path.Combine(managed, "LearnedSolvers.Native.dll"))) configure.Add("-DLEARNEDSOLVERS_MANAGED_BUILD=" + managed);

        var clock = Stopwatch.StartNew();
        RunStep(cmake!, configure);
        RunStep(cmake!, ["--build", build, "--parallel", "2"]);
        string report = RunStep(ctest!, ["--test-dir", build, "--output-on-failure", "--timeout", "120", .. filter]);
        output.WriteLine($"cmake configure + build + ctest: {clock.Elapsed.TotalSeconds:F1} s");
        return report;
    }

    /// <summary>Runs a tool to its end within <see cref="StepLimit"/>; fails with its output when it exits non-zero.</summary>
    private string RunStep(string tool, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(tool, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryFiles.Root,
        };
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(StepLimit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(tool)} {string.Join(' ', arguments)} ran past {StepLimit.TotalMinutes} minutes.");
        }
        string text = stdout.Result + stderr.Result;
        output.WriteLine($"$ {Path.GetFileName(tool)} {string.Join(' ', arguments)}");
        output.WriteLine(text);
        Assert.True(process.ExitCode == 0, $"{Path.GetFileName(tool)} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{text}");
        return text;
    }

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
