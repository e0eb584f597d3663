using LearnedSolvers.Cli;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>`train dcdm` writes a model that `solve --method dcdm` uses; bad arguments and bad model files get one-line errors.</summary>
public sealed class DcdmCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-dcdm-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private string PathIn(string name) => Path.Combine(_dir, name);

    [Fact]
    public void Train_WritesAModel_ThatSolveUses()
    {
        string model = PathIn("m.safetensors");
        var (code, output, err) = Run("train", "dcdm", "--problem", "poisson2d", "--n", "8", "--samples", "20", "--epochs", "2",
            "--channels", "2", "--batch", "5", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("epoch 2/2", output);
        Assert.Contains("loss", output);
        var file = SafetensorsFile.Read(model);
        Assert.Contains("cnn1.weight", file.Tensors.Select(t => t.Name));
        Assert.Contains("\"epochs\":2", file.Metadata["training"]);
        Assert.Equal("8x8", file.Metadata["grid"]);

        string a = PathIn("a.mtx");
        Assert.Equal(0, Run("generate", "--problem", "poisson2d", "--n", "8", "--out", a).Code);
        var solved = Run("solve", "--matrix", a, "--method", "dcdm", "--model", model, "--rtol", "1e-8");
        Assert.True(solved.Code == 0, solved.Err);
        Assert.Contains("dcdm", solved.Out);
        Assert.Contains("Converged", solved.Out);
    }

    [Theory]
    [InlineData("--n", "7", "even")]
    [InlineData("--samples", "0", "--samples")]
    [InlineData("--lr", "-1", "--lr")]
    public void Train_RefusesBadArguments(string option, string value, string fragment)
    {
        var args = new List<string> { "train", "dcdm", "--problem", "poisson2d", "--n", "8", "--out", PathIn("m.safetensors") };
        int at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, err) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(fragment, err);
        Assert.False(File.Exists(PathIn("m.safetensors")));
    }

    [Fact]
    public void Train_RefusesAnOutputDirectoryThatDoesNotExist_BeforeTraining()
    {
        var (code, output, err) = Run("train", "dcdm", "--problem", "poisson2d", "--n", "8", "--out", PathIn("missing/m.safetensors"));
        Assert.Equal(2, code);
        Assert.Contains("does not exist", err);
        Assert.DoesNotContain("epoch", output);
    }

    [Fact]
    public void Solve_Dcdm_NeedsAModel_AndRefusesAFileThatIsNotOne()
    {
        string a = PathIn("a.mtx");
        Assert.Equal(0, Run("generate", "--problem", "poisson2d", "--n", "8", "--out", a).Code);
        var (code, _, err) = Run("solve", "--matrix", a, "--method", "dcdm");
        Assert.Equal(2, code);
        Assert.Contains("--model", err);
        string notAModel = PathIn("x.safetensors");
        SafetensorsFile.Write(notAModel, [("w", new[] { 2 }, new float[] { 1, 2 })]);
        (code, _, err) = Run("solve", "--matrix", a, "--method", "dcdm", "--model", notAModel);
        Assert.Equal(2, code);
        Assert.Contains("not a DCDM model file", err);
        (code, _, err) = Run("solve", "--matrix", a, "--method", "cg", "--model", notAModel);
        Assert.Equal(2, code);
        Assert.Contains("--model applies to --method dcdm and --precond neuralpcg|precorrector|learned-fsai only", err);
    }

    [Fact]
    public void Solve_Dcdm_RefusesAGridOfAnotherSize()
    {
        string model = PathIn("m.safetensors");
        using (var net = new DcdmNetwork(LearnedSolvers.Devices.Device.Cpu, 2, channels: 2))
            DcdmModelFile.Save(net, model);
        string a = PathIn("a.mtx");
        Assert.Equal(0, Run("generate", "--problem", "poisson2d", "--n", "8", "--out", a).Code);
        var (code, _, err) = Run("solve", "--matrix", a, "--method", "dcdm", "--model", model, "--grid", "4x8");
        Assert.Equal(2, code);
        Assert.Contains("--grid 4x8 has 32 points", err);
    }
}
