using System.Globalization;
using System.Text.Json;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>
/// `train neuralpcg|precorrector|learned-fsai` writes a model that `solve --precond ... --model` uses on another grid
/// size; --model is required by the learned factors and refused by the others; --contrast belongs to diffusion only.
/// </summary>
public sealed class LearnedFactorCliTests : IDisposable
{
    private const int BadInput = 2;

    private readonly string _dir = Directory.CreateTempSubdirectory("ls-factor-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliRunner.Run(args);

    private string PathIn(string name) => Path.Combine(_dir, name);

    /// <summary>A ConDiff 11² matrix (another size than the training grid) in Matrix Market form.</summary>
    private string Matrix()
    {
        string path = PathIn("a.mtx");
        MatrixMarketWriter.WriteMatrix(path, Diffusion.Generate(DiffusionOptions.ConDiff(11, 1.0, seed: 77)).Matrix);
        return path;
    }

    [Fact]
    public void TrainPreCorrector_WritesAModel_ThatSolveUses_OnAnotherGridSize()
    {
        string model = PathIn("m.safetensors");
        var (code, output, err) = Run("train", "precorrector", "--problem", "diffusion", "--n", "8", "--count", "4", "--epochs", "1",
            "--hidden", "4", "--steps", "1", "--out", model);
        Assert.True(code == 0, err);
        Assert.Contains("epoch 1/1", output);
        Assert.Contains("validation", output);
        var file = SafetensorsFile.Read(model);
        Assert.Contains("alpha", file.Tensors.Select(t => t.Name));
        Assert.Contains("grid size is free", file.Metadata["serves"]);
        Assert.Contains("ConDiff variance 1", file.Metadata["problem"]);
        using (var training = JsonDocument.Parse(file.Metadata["training"]))
        {
            Assert.Equal(4, training.RootElement.GetProperty("systems").GetInt32());
            Assert.Equal(1, training.RootElement.GetProperty("epochs").GetInt32());
            Assert.Equal(1, training.RootElement.GetProperty("validation_losses").GetArrayLength());
            Assert.True(training.RootElement.GetProperty("alpha").GetDouble() > 0);
            Assert.StartsWith("learnedsolvers train precorrector --problem diffusion", training.RootElement.GetProperty("command").GetString());
        }
        using (var architecture = JsonDocument.Parse(file.Metadata[LearnedFactorModelFile.ArchitectureKey]))
        {
            Assert.Equal("precorrector", architecture.RootElement.GetProperty("model").GetString());
            Assert.Equal(4, architecture.RootElement.GetProperty("hidden").GetInt32());
            Assert.Equal(1, architecture.RootElement.GetProperty("steps").GetInt32());
        }

        var solved = Run("solve", "--matrix", Matrix(), "--method", "pcg", "--precond", "precorrector", "--model", model, "--rtol", "1e-8");
        Assert.True(solved.Code == 0, solved.Err + solved.Out);
        Assert.Contains("precorrector", solved.Out);
        Assert.Contains("Converged", solved.Out);
        double residual = double.Parse(solved.Out.Split("true relative residual ")[1].Split(Environment.NewLine)[0], CultureInfo.InvariantCulture);
        Assert.True(residual <= 1e-8, solved.Out);

        // The model of one kind is refused by another.
        var wrong = Run("solve", "--matrix", Matrix(), "--method", "pcg", "--precond", "neuralpcg", "--model", model);
        Assert.Equal(BadInput, wrong.Code);
        Assert.Contains("'precorrector'", wrong.Err);
    }

    [Fact]
    public void TrainLearnedFsai_OnPoisson_WritesAModel_ThatSolveUses()
    {
        string model = PathIn("fsai.safetensors");
        var (code, _, err) = Run("train", "learned-fsai", "--problem", "poisson2d", "--n", "7", "--count", "3", "--epochs", "1",
            "--hidden", "4", "--steps", "1", "--out", model);
        Assert.True(code == 0, err);
        var file = SafetensorsFile.Read(model);
        Assert.Contains("poisson2d, grid 7", file.Metadata["problem"]);
        Assert.DoesNotContain("variance", file.Metadata["problem"]);
        var solved = Run("solve", "--matrix", Matrix(), "--method", "pcg", "--precond", "learned-fsai", "--model", model);
        Assert.True(solved.Code == 0, solved.Err + solved.Out);
        Assert.Contains("Converged", solved.Out);
    }

    [Theory]
    [InlineData("neuralpcg")]
    [InlineData("precorrector")]
    [InlineData("learned-fsai")]
    public void Solve_WithALearnedFactor_NeedsAModel(string precond)
    {
        var (code, _, err) = Run("solve", "--matrix", Matrix(), "--method", "pcg", "--precond", precond);
        Assert.Equal(BadInput, code);
        Assert.Contains("--model", err);
        Assert.Contains($"train {precond}", err);
    }

    [Fact]
    public void Train_WithTheFrobeniusLoss_RecordsIt_AndItsPairsAreAzAndZ()
    {
        string model = PathIn("f.safetensors");
        var (code, _, err) = Run("train", "precorrector", "--problem", "diffusion", "--n", "7", "--count", "3", "--epochs", "1",
            "--hidden", "4", "--steps", "1", "--loss", "frobenius", "--out", model);
        Assert.True(code == 0, err);
        using (var training = JsonDocument.Parse(SafetensorsFile.Read(model).Metadata["training"]))
            Assert.Equal("frobenius", training.RootElement.GetProperty("loss").GetString());
        var a = LearnedSolvers.Problems.Poisson.TwoD(5).Matrix;
        var pair = FactorTrainingPairs.Frobenius(a, seed: 3);
        var az = new double[a.Rows];
        a.Multiply(pair.Solution, az);
        Assert.Equal(az, pair.RightHandSide);
        Assert.Equal(pair.Solution, FactorTrainingPairs.Frobenius(a, seed: 3).Solution);
        (code, _, err) = Run("train", "precorrector", "--problem", "diffusion", "--n", "7", "--loss", "hutchinson", "--out", model);
        Assert.Equal(2, code);
        Assert.Contains("frobenius", err);
    }

    [Fact]
    public void Train_FromADataSet_ThenFineTuned_FromTheModel()
    {
        var (code, _, err) = Run("dataset", "--problem", "diffusion", "--count", "5", "--n", "9", "--out", PathIn("d.h5"));
        Assert.True(code == 0, err);
        string first = PathIn("first.safetensors"), second = PathIn("second.safetensors");
        (code, var output, err) = Run("train", "neuralpcg", "--dataset", PathIn("d.h5"), "--epochs", "1", "--hidden", "4", "--steps", "1", "--out", first);
        Assert.True(code == 0, err);
        Assert.Contains("4 + 1 systems from", output);
        (code, _, err) = Run("train", "neuralpcg", "--dataset", PathIn("d.h5"), "--epochs", "1", "--init", first, "--out", second);
        Assert.True(code == 0, err);
        using (var architecture = JsonDocument.Parse(SafetensorsFile.Read(second).Metadata[LearnedFactorModelFile.ArchitectureKey]))
            Assert.Equal(4, architecture.RootElement.GetProperty("hidden").GetInt32());
        (code, _, err) = Run("train", "neuralpcg", "--dataset", PathIn("d.h5"), "--init", first, "--hidden", "8", "--out", second);
        Assert.Equal(2, code);
        Assert.Contains("--init", err);
        (code, _, err) = Run("train", "precorrector", "--dataset", PathIn("d.h5"), "--init", first, "--out", second);
        Assert.Equal(2, code);
        Assert.Contains("neuralpcg", err);
        (code, _, err) = Run("train", "neuralpcg", "--dataset", PathIn("d.h5"), "--problem", "diffusion", "--n", "9", "--out", second);
        Assert.Equal(2, code);
        Assert.Contains("--dataset", err);
    }

    [Fact]
    public void Solve_RefusesAModel_ForAPreconditionerThatTakesNone_AndAMissingModelFile()
    {
        string model = PathIn("none.safetensors");
        var (code, _, err) = Run("solve", "--matrix", Matrix(), "--method", "pcg", "--precond", "ic0", "--model", model);
        Assert.Equal(BadInput, code);
        Assert.Contains("--model", err);
        (code, _, err) = Run("solve", "--matrix", Matrix(), "--method", "pcg", "--precond", "neuralpcg", "--model", model);
        Assert.Equal(BadInput, code);
        Assert.Contains("file not found", err);
        Assert.Contains("none.safetensors", err);
    }

    [Fact]
    public void Train_RefusesContrast_ForPoisson_BeforeSolvingAnything()
    {
        var (code, output, err) = Run("train", "neuralpcg", "--problem", "poisson2d", "--n", "7", "--contrast", "0.4", "--out", PathIn("m.safetensors"));
        Assert.Equal(BadInput, code);
        Assert.Contains("--contrast", err);
        Assert.DoesNotContain("solving", output);
        Assert.False(File.Exists(PathIn("m.safetensors")));
    }

    [Theory]
    [InlineData("--n", "1", "--n")]
    [InlineData("--count", "0", "--count")]
    [InlineData("--hidden", "0", "--hidden")]
    [InlineData("--steps", "-1", "--steps")]
    [InlineData("--lr", "0", "--lr")]
    [InlineData("--out", "missing-dir/m.safetensors", "does not exist")]
    public void Train_RefusesBadArguments(string option, string value, string fragment)
    {
        var args = new List<string> { "train", "learned-fsai", "--problem", "poisson2d", "--n", "7", "--out", PathIn("m.safetensors") };
        int at = args.IndexOf(option);
        if (option == "--out") value = PathIn(value);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, value]);
        var (code, _, err) = Run([.. args]);
        Assert.Equal(BadInput, code);
        Assert.Contains(fragment, err);
        Assert.False(File.Exists(PathIn("m.safetensors")));
    }
}
