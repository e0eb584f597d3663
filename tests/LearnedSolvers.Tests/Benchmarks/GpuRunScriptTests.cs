using System.Diagnostics;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Benchmarks;

/// <summary>
/// The one-call GPU check (benchmarks/gpu/run.sh) starts anywhere: on a machine without an NVIDIA GPU it says so and
/// exits with 2 before it needs its bundle, so CI checks that the script at least runs.
/// </summary>
public class GpuRunScriptTests
{
    [Fact]
    public async Task WithoutAGpu_SaysSo_AndExitsWith2()
    {
        Assert.SkipWhen(HasNvidiaSmi(), "nvidia-smi is present: the script would measure this machine's GPU.");
        var start = new ProcessStartInfo("bash", [RepositoryFiles.PathOf("benchmarks", "gpu", "run.sh")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        using var process = Process.Start(start)!;
        string output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
            + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(2, process.ExitCode);
        Assert.Contains("no CUDA device found", output);
    }

    private static bool HasNvidiaSmi() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Any(dir => dir.Length > 0 && File.Exists(Path.Combine(dir, "nvidia-smi")));
}
