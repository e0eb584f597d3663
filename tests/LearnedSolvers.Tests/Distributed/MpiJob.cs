using System.Diagnostics;
using System.Globalization;
using LearnedSolvers.Distributed.Mpi;
using LearnedSolvers.MpiChecks;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// Runs the MPI checks program (tests/LearnedSolvers.MpiChecks) under mpirun on loopback and parses rank 0's result
/// lines. Skips the calling test when mpirun or a bindable MPI library is missing.
/// </summary>
internal static class MpiJob
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>The lines starting with <paramref name="kind"/> that rank 0 printed, each as its key=value fields.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Run(int ranks, string kind, params string[] arguments)
    {
        var (code, output, errors) = Exec(ranks, typeof(CheckMethods).Assembly.Location, arguments);
        Assert.True(code == 0, $"mpirun -np {ranks} {string.Join(' ', arguments)} exited with {code}:\n{output}\n{errors}");
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l[Math.Max(0, l.IndexOf(kind + " ", StringComparison.Ordinal))..]) // a terminal escape may precede the first line
            .Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))
            .Select(Fields)
            .ToList();
        Assert.True(lines.Count > 0, $"mpirun -np {ranks} printed no '{kind}' line:\n{output}\n{errors}");
        return lines;
    }

    /// <summary>
    /// <paramref name="assembly"/> (a program of this build) under mpirun with <paramref name="ranks"/> ranks and the
    /// test runtime's configuration: its exit code and everything the ranks printed. Fails the test past the time limit
    /// (a hang), and skips it without mpirun or a bindable MPI library.
    /// </summary>
    public static (int Code, string Out, string Err) Exec(int ranks, string assembly, params string[] arguments)
    {
        string? mpirun = Which("mpirun");
        Assert.SkipWhen(mpirun is null, "mpirun not on PATH (apt-get install openmpi-bin): the distributed checks need it.");
        Assert.SkipUnless(MpiEnvironment.IsAvailable, $"mpirun is here but no MPI library could be bound: {MpiEnvironment.UnavailableReason}");

        string bin = AppContext.BaseDirectory;
        var start = new ProcessStartInfo(mpirun!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // --allow-run-as-root: CI containers run as root; --oversubscribe: four ranks on a two-core machine.
        foreach (var a in new[] { "--allow-run-as-root", "--oversubscribe", "-np", ranks.ToString(CultureInfo.InvariantCulture),
                     "dotnet", "exec", "--runtimeconfig", Path.Combine(bin, "LearnedSolvers.Tests.runtimeconfig.json"),
                     "--depsfile", Path.Combine(bin, "LearnedSolvers.Tests.deps.json"), assembly })
            start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // One worker thread per rank: ranks, not threads, share the cores here.
        start.Environment["DOTNET_PROCESSOR_COUNT"] = "1";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"mpirun -np {ranks} ran past {Limit.TotalMinutes} minutes.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static IReadOnlyDictionary<string, string> Fields(string line) =>
        line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => f.Split('=', 2))
            .ToDictionary(f => f[0], f => f[1]);

    public static double Number(this IReadOnlyDictionary<string, string> fields, string key) =>
        double.Parse(fields[key], CultureInfo.InvariantCulture);

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
