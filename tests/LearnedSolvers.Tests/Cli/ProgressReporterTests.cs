using LearnedSolvers.Cli;

namespace LearnedSolvers.Tests.Cli;

/// <summary>Redirected progress: plain lines at each tenth of the work, with the rate and the time left.</summary>
public sealed class ProgressReporterTests
{
    [Fact]
    public void Redirected_PrintsOneLinePerTenth_EndingWithTheTotal()
    {
        var writer = new StringWriter();
        int result = ProgressReporter.Run(writer, "solving", 100, "systems", progress =>
        {
            for (int i = 1; i <= 100; i++) progress.Report(i);
            return 7;
        });

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(7, result);
        Assert.Equal(10, lines.Length);
        Assert.StartsWith("10/100 systems", lines[0]);
        Assert.Contains("left", lines[0]);
        Assert.StartsWith("100/100 systems", lines[^1]);
        Assert.Matches("systems/s", lines[^1]);
    }

    [Fact]
    public void Redirected_UsesTheDetail_AndATotalLearnedLate()
    {
        var writer = new StringWriter();
        ProgressReporter.Run(writer, "training", 1, "batches", progress =>
        {
            for (int i = 1; i <= 4; i++) progress.Report(i, $"epoch 1/1  batch {i}/4", total: 4);
            return 0;
        });

        var lines = writer.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("epoch 1/1  batch 4/4", lines[^1]);
    }

    [Fact]
    public void Line_SaysTheTimeLeft_AtTheRateSoFar()
    {
        var writer = new StringWriter();
        string line = "";
        ProgressReporter.Run(writer, "solving", 10, "systems", progress =>
        {
            line = progress.Line(2, null, TimeSpan.FromSeconds(4));
            return 0;
        });

        Assert.Equal("2/10 systems  0.5 systems/s  00:00:16 left", line);
    }
}
