using System.Diagnostics;
using System.Text;

namespace LearnedSolvers.Tests.Packaging;

/// <summary>
/// Runs the `dotnet` on PATH (or a program it installed) as a user at a terminal would, with the output captured.
/// The environment is cleaned of the MSBuild variables a test host may carry, and MSBuild's node reuse and build server
/// are off: a build process that outlived its command would hold the output pipe open, and the next test run would
/// talk to a server started by this one.
/// </summary>
internal static class DotnetCli
{
    public static readonly TimeSpan StepLimit = TimeSpan.FromMinutes(4);

    /// <summary>The full path of `dotnet` on PATH, or null when there is none.</summary>
    public static string? Executable { get; } = Which(OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");

    /// <summary>Whether the `dotnet` on PATH has an SDK (pack, restore, build), not just a runtime.</summary>
    public static bool HasSdk { get; } = Executable is not null && TryRun(Executable, ["--list-sdks"], Environment.CurrentDirectory, out string sdks) && sdks.Trim().Length > 0;

    /// <summary>Runs <c>dotnet arguments</c> in <paramref name="directory"/>; fails with the command and its output when it exits non-zero.</summary>
    public static string Dotnet(ITestOutputHelper log, string directory, params string[] arguments) =>
        Run(log, Executable ?? throw new InvalidOperationException("dotnet is not on PATH."), arguments, directory);

    /// <summary>Runs a program within <see cref="StepLimit"/>; fails with the command and its output when it exits non-zero.</summary>
    public static string Run(ITestOutputHelper log, string program, IReadOnlyList<string> arguments, string directory)
    {
        string command = $"{Path.GetFileName(program)} {string.Join(' ', arguments)}";
        var clock = Stopwatch.StartNew();
        int? code = Execute(program, arguments, directory, StepLimit, out string text);
        log.WriteLine($"$ {command}   [{clock.Elapsed.TotalSeconds:F1} s, in {directory}]");
        log.WriteLine(text);
        if (code is null) Assert.Fail($"`{command}` ran past {StepLimit.TotalMinutes} minutes (in {directory}):\n{text}");
        Assert.True(code == 0, $"`{command}` exited with {code} (in {directory}):\n{text}");
        return text;
    }

    private static bool TryRun(string program, IReadOnlyList<string> arguments, string directory, out string text) =>
        Execute(program, arguments, directory, TimeSpan.FromSeconds(30), out text) == 0;

    /// <summary>The exit code, or null when the process ran past <paramref name="limit"/> (it is then killed).</summary>
    private static int? Execute(string program, IReadOnlyList<string> arguments, string directory, TimeSpan limit, out string text)
    {
        var start = new ProcessStartInfo(program, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = directory,
        };
        foreach (string name in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList())
            start.Environment.Remove(name);
        start.Environment["MSBUILDDISABLENODEREUSE"] = "1";
        start.Environment["DOTNET_CLI_USE_MSBUILD_SERVER"] = "0";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        start.Environment["DOTNET_CLI_UI_LANGUAGE"] = "en";
        // A tool's launcher finds the runtime through DOTNET_ROOT when dotnet is not where it looks by default.
        if (Executable is not null && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_ROOT")))
            start.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Resolve(Executable));

        var output = new StringBuilder();
        var outEnd = new TaskCompletionSource();
        var errEnd = new TaskCompletionSource();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => { if (e.Data is null) outEnd.TrySetResult(); else lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is null) errEnd.TrySetResult(); else lock (output) output.AppendLine(e.Data); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        bool exited = process.WaitForExit(limit);
        if (!exited) process.Kill(entireProcessTree: true);
        // The pipes close when the process ends, unless something it started still holds them: wait only briefly then.
        Task.WaitAll([outEnd.Task, errEnd.Task], TimeSpan.FromSeconds(10));
        lock (output) text = output.ToString();
        return exited ? process.ExitCode : null;
    }

    private static string Resolve(string path) => File.ResolveLinkTarget(path, returnFinalTarget: true)?.FullName ?? path;

    private static string? Which(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Where(dir => dir.Length > 0)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
}
