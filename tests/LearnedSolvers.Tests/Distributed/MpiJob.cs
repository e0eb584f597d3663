using System.Diagnostics;
using System.Globalization;
using LearnedSolvers.Distributed.Mpi;
using LearnedSolvers.MpiChecks;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>The MPI implementations whose launcher a distributed test can run under.</summary>
public enum Launcher
{
    /// <summary>Open MPI's mpirun (the default; CI installs openmpi-bin).</summary>
    OpenMpi,

    /// <summary>MPICH's Hydra mpiexec (apt-get install mpich); its tests skip without it.</summary>
    Mpich,
}

/// <summary>
/// Runs the MPI checks program (tests/LearnedSolvers.MpiChecks) under an MPI launcher on loopback and parses rank 0's
/// result lines. Skips the calling test when the launcher or its MPI library is missing.
/// </summary>
internal static class MpiJob
{
    private static readonly TimeSpan Limit = TimeSpan.FromMinutes(5);

    /// <summary>Under Open MPI's mpirun: the lines starting with <paramref name="kind"/> that rank 0 printed, each as its key=value fields.</summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Run(int ranks, string kind, params string[] arguments) =>
        Run(Launcher.OpenMpi, ranks, kind, arguments);

    /// <summary>
    /// Under <paramref name="launcher"/>: the lines starting with <paramref name="kind"/> that rank 0 printed, each as
    /// its key=value fields. Fails unless every rank bound the launcher's MPI and saw all <paramref name="ranks"/> ranks.
    /// </summary>
    public static IReadOnlyList<IReadOnlyDictionary<string, string>> Run(Launcher launcher, int ranks, string kind, params string[] arguments)
    {
        var (code, output, errors) = Exec(launcher, ranks, typeof(CheckMethods).Assembly.Location, arguments);
        string what = $"{launcher} -np {ranks} {string.Join(' ', arguments)}";
        Assert.True(code == 0, $"{what} exited with {code}:\n{output}\n{errors}");
        var mpi = Lines(output, "mpi");
        Assert.True(mpi.Count == ranks && mpi.All(l => l["abi"] == Abi(launcher) && l["ranks"] == ranks.ToString(CultureInfo.InvariantCulture)),
            $"{what}: each of the {ranks} ranks should report abi={Abi(launcher)} ranks={ranks}:\n{output}");
        var lines = Lines(output, kind);
        Assert.True(lines.Count > 0, $"{what} printed no '{kind}' line:\n{output}\n{errors}");
        return lines;
    }

    /// <summary><paramref name="assembly"/> under Open MPI's mpirun; see <see cref="Exec(Launcher, int, string, string[])"/>.</summary>
    public static (int Code, string Out, string Err) Exec(int ranks, string assembly, params string[] arguments) =>
        Exec(Launcher.OpenMpi, ranks, assembly, arguments);

    /// <summary>
    /// <paramref name="assembly"/> (a program of this build) under <paramref name="launcher"/> with
    /// <paramref name="ranks"/> ranks and the test runtime's configuration: its exit code and everything the ranks
    /// printed. Fails the test past the time limit (a hang), and skips it without the launcher or a library of its ABI.
    /// </summary>
    public static (int Code, string Out, string Err) Exec(Launcher launcher, int ranks, string assembly, params string[] arguments)
    {
        var (programs, libraries, options, install) = launcher switch
        {
            // mpirun.openmpi before mpirun: installing MPICH may switch Debian's mpirun alternative to MPICH's.
            // --allow-run-as-root: CI containers run as root; --oversubscribe: four ranks on a two-core machine.
            Launcher.OpenMpi => (new[] { "mpirun.openmpi", "mpirun" }, new[] { "libmpi.so.40", "libmpi.so" },
                new[] { "--allow-run-as-root", "--oversubscribe" }, "openmpi-bin"),
            // Hydra runs as root and oversubscribes without being asked. No plain mpiexec: it is Open MPI's here.
            Launcher.Mpich => (["mpiexec.mpich", "mpirun.mpich"], [MpiLibrary.MpichSoname, "libmpi.so.12"], [], "mpich"),
            _ => throw new ArgumentOutOfRangeException(nameof(launcher), launcher, "Unknown launcher."),
        };
        string? program = programs.Select(Which).FirstOrDefault(p => p is not null);
        Assert.SkipWhen(program is null, $"{string.Join(" or ", programs)} not on PATH (apt-get install {install}): the distributed checks under {launcher} need it.");
        var found = new List<string>();
        bool bindable = false;
        foreach (var library in libraries)
        {
            var abi = MpiLibrary.Probe(library, out string reason);
            bindable |= abi == AbiOf(launcher);
            found.Add(abi is null ? reason : $"{library} is {abi}");
        }
        Assert.SkipUnless(bindable, $"{program} is here but no {launcher} library could be bound: {string.Join("; ", found)}");

        string bin = AppContext.BaseDirectory;
        var start = new ProcessStartInfo(program!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in options.Concat(["-np", ranks.ToString(CultureInfo.InvariantCulture),
                     "dotnet", "exec", "--runtimeconfig", Path.Combine(bin, "LearnedSolvers.Tests.runtimeconfig.json"),
                     "--depsfile", Path.Combine(bin, "LearnedSolvers.Tests.deps.json"), assembly]))
            start.ArgumentList.Add(a);
        foreach (var a in arguments) start.ArgumentList.Add(a);
        // One worker thread per rank: ranks, not threads, share the cores here.
        start.Environment["DOTNET_PROCESSOR_COUNT"] = "1";
        // No LEARNEDSOLVERS_MPI_LIBRARY: the ranks must find the launcher's library by themselves, as a user's would.
        start.Environment.Remove(MpiLibrary.LibraryVariable);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Limit))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{program} -np {ranks} ran past {Limit.TotalMinutes} minutes.");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static MpiAbi AbiOf(Launcher launcher) => launcher == Launcher.Mpich ? MpiAbi.Mpich : MpiAbi.OpenMpi;

    private static string Abi(Launcher launcher) => AbiOf(launcher).ToString();

    private static List<IReadOnlyDictionary<string, string>> Lines(string output, string kind) =>
        output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l[Math.Max(0, l.IndexOf(kind + " ", StringComparison.Ordinal))..]) // a terminal escape may precede the first line
            .Where(l => l.StartsWith(kind + " ", StringComparison.Ordinal))
            .Select(Fields)
            .ToList();

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
