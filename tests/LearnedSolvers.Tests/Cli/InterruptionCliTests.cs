using LearnedSolvers.Cli;
using LearnedSolvers.Sequences;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>
/// Ctrl-C, simulated by <see cref="Interruption.CancelAfterUnits"/>: the long commands stop between units, keep what is
/// complete (a smaller data set that reads back, a comparison table of the pairs done, no half-trained model) and exit 130.
/// </summary>
public sealed class InterruptionCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-interrupt-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathIn(string name) => Path.Combine(_dir, name);

    private static (int Code, string Out, string Err) RunInterrupted(int afterUnits, params string[] args)
    {
        Interruption.CancelAfterUnits.Value = afterUnits;
        try
        {
            return CliRunner.Run(args);
        }
        finally
        {
            Interruption.CancelAfterUnits.Value = null;
        }
    }

    private static readonly string[] Dataset = ["dataset", "--problem", "diffusion", "--count", "6", "--n", "8", "--method", "gmres", "--order", "natural", "--restart", "20"];

    [Fact]
    public void Dataset_InterruptedAfterThreeSystems_LeavesAReadableDataSetOfThoseThree()
    {
        string full = PathIn("full.h5"), part = PathIn("part.h5");
        Assert.Equal(ExitCodes.Success, CliRunner.Run([.. Dataset, "--out", full]).Code);

        var (code, output, err) = RunInterrupted(3, [.. Dataset, "--out", part]);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Equal(130, code);
        Assert.Contains("interrupted after 3 of 6 systems", err);
        Assert.DoesNotContain("wrote", output);
        var whole = SequenceDataset.Read(full);
        var kept = SequenceDataset.Read(part);
        Assert.Equal(3, kept.Count);
        Assert.Equal([0, 1, 2], kept.SolveOrder);
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(whole.Iterations[i], kept.Iterations[i]);
            for (int j = 0; j < whole.Unknowns; j++)
            {
                Assert.Equal(whole.Solutions[i, j], kept.Solutions[i, j]);
                Assert.Equal(whole.RightHandSides[i, j], kept.RightHandSides[i, j]);
            }
        }
        Assert.Equal(["full.h5", "part.h5"], Directory.GetFiles(_dir).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Sequence_InterruptedInSkrOrder_KeepsTheSystemsSolved_RenumberedInInputOrder()
    {
        string source = PathIn("source.h5"), part = PathIn("part.h5");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("dataset", "--problem", "diffusion", "--count", "5", "--n", "8", "--restart", "20", "--recycle", "5", "--out", source).Code);

        var (code, _, err) = RunInterrupted(2, "sequence", "--matrices", source, "--restart", "20", "--recycle", "5", "--out", part);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Contains("interrupted after 2 of 5 systems", err);
        var kept = SequenceDataset.Read(part);
        Assert.Equal(2, kept.Count);
        Assert.Equal([0, 1], kept.SolveOrder.Order());
        Assert.NotNull(kept.Coefficients);
    }

    [Fact]
    public void Dataset_InterruptedDuringTheBaseline_KeepsTheWholeDataSet()
    {
        string path = PathIn("d.h5");
        var (code, output, err) = RunInterrupted(7, [.. Dataset, "--out", path, "--baseline"]);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Contains("interrupted during the baseline", err);
        Assert.Equal(6, SequenceDataset.Read(path).Count);
        Assert.DoesNotContain("speedup", output);
    }

    [Fact]
    public void TrainFactor_Interrupted_WritesNoModel_AndLeavesTheOldFile()
    {
        string model = PathIn("m.safetensors");
        File.WriteAllText(model, "old");

        var (code, _, err) = RunInterrupted(1, "train", "precorrector", "--problem", "diffusion", "--n", "6", "--count", "8", "--batch", "2",
            "--epochs", "2", "--hidden", "4", "--steps", "1", "--out", model);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Contains("interrupted after epoch 1/2, batch 1/4: no model written", err);
        Assert.Equal("old", File.ReadAllText(model));
    }

    [Fact]
    public void TrainDcdm_Interrupted_WritesNoModel()
    {
        string model = PathIn("m.safetensors");

        var (code, _, err) = RunInterrupted(2, "train", "dcdm", "--problem", "poisson2d", "--n", "8", "--samples", "20", "--epochs", "2",
            "--batch", "5", "--vectors", "smoothed", "--channels", "2", "--out", model);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Contains("interrupted after epoch 1/2, batch 2/4: no model written", err);
        Assert.False(File.Exists(model));
    }

    [Fact]
    public void Compare_InterruptedAfterTwoPairs_PrintsTheirRows_AndNoReport()
    {
        string a = PathIn("a.mtx"), report = PathIn("report");
        Assert.Equal(ExitCodes.Success, CliRunner.Run("generate", "--problem", "poisson2d", "--n", "8", "--out", a).Code);

        var (code, output, err) = RunInterrupted(2, "compare", "--matrix", a, "--methods", "cg,gmres:jacobi,bicgstab:none", "--report", report);

        Assert.Equal(ExitCodes.Interrupted, code);
        Assert.Contains("interrupted after 2 of 3 pairs", err);
        Assert.Contains("gmres", output);
        Assert.DoesNotContain("bicgstab", output.Split('\n').SkipWhile(l => !l.StartsWith("---")));
        Assert.False(Directory.Exists(report));
    }
}
