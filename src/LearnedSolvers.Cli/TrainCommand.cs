using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers train dcdm`: trains DCDM's network on one generated problem's low-spectrum vectors and writes a
/// safetensors model whose metadata records the architecture, the problem and the training run.
/// </summary>
internal static class TrainCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var problem = new Option<string>("--problem") { Required = true, Description = "poisson2d|poisson3d|diffusion" }
            .AcceptOnlyFromAmong("poisson2d", "poisson3d", "diffusion");
        var n = new Option<int>("--n") { Required = true, Description = "grid points per side (even: the network pools by 2)" };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 20, Description = "passes over the training vectors" };
        var samples = new Option<int>("--samples") { DefaultValueFactory = _ => 1000, Description = "training vectors (the paper: 20000)" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 10, Description = "vectors per Adam step" };
        var rate = new Option<float>("--lr") { DefaultValueFactory = _ => 1e-3f, Description = "Adam's learning rate" };
        var vectors = new Option<string>("--vectors") { DefaultValueFactory = _ => "ritz", Description = "ritz (Lanczos Ritz vectors, as the paper) | smoothed (smoothed noise)" }
            .AcceptOnlyFromAmong("ritz", "smoothed");
        var lanczos = new Option<int>("--lanczos") { DefaultValueFactory = _ => 200, Description = "Lanczos steps for --vectors ritz" };
        var channels = new Option<int>("--channels") { DefaultValueFactory = _ => 16, Description = "filters per convolution" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "fixes the problem, vectors, initial network and batch order" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu|cuda|ilgpu-cpu|auto" };
        var outPath = new Option<string>("--out") { Required = true, Description = "the model file (.safetensors)" };

        var dcdm = new Command("dcdm", "Train DCDM's network (Kaneda et al. 2023) without labels on one problem's low-spectrum vectors")
        {
            problem, n, epochs, samples, batch, rate, vectors, lanczos, channels, seed, device, outPath,
        };
        dcdm.SetAction(p =>
        {
            int grid = p.GetValue(n), count = p.GetValue(samples);
            if (grid < 4 || grid % 2 != 0) throw new UsageException($"--n must be even and at least 4 (got {grid}): the network pools by 2");
            if (count < 1) throw new UsageException($"--samples must be at least 1 (got {count})");
            if (p.GetValue(epochs) < 1) throw new UsageException($"--epochs must be at least 1 (got {p.GetValue(epochs)})");
            if (p.GetValue(batch) < 1) throw new UsageException($"--batch must be at least 1 (got {p.GetValue(batch)})");
            if (!(p.GetValue(rate) > 0) || !float.IsFinite(p.GetValue(rate))) throw new UsageException($"--lr must be positive (got {p.GetValue(rate)})");
            if (p.GetValue(channels) < 1) throw new UsageException($"--channels must be at least 1 (got {p.GetValue(channels)})");
            int dimensions = p.GetValue(problem) == "poisson3d" ? 3 : 2;
            OptionChecks.Grid("--n", grid, dimensions, min: 4);
            CheckNetworkFits(p.GetValue(channels), count, Math.Min(p.GetValue(batch), count), Math.Pow(grid, dimensions), dimensions);
            string outFile = Path.GetFullPath(p.GetValue(outPath)!);
            if (!Directory.Exists(Path.GetDirectoryName(outFile)))
                throw new UsageException($"--out {p.GetValue(outPath)}: the directory {Path.GetDirectoryName(outFile)} does not exist");
            string problemName = p.GetValue(problem)!;
            var system = GenerateCommand.Build(problemName, grid, null, false, 0, p.GetValue(seed));
            var shape = GridShape(system);
            var dev = SolveCommand.DeviceFromName(p.GetValue(device)!);
            var source = p.GetValue(vectors) == "ritz" ? TrainingVectorSource.Ritz : TrainingVectorSource.SmoothedNoise;
            var vectorOptions = new TrainingVectorOptions { Source = source, LanczosSteps = Math.Min(p.GetValue(lanczos), system.Size) };
            output.WriteLine($"{system.Description}: {system.Size} unknowns; {count} training vectors ({p.GetValue(vectors)}) …");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var data = TrainingVectors.Generate(system.Matrix, count, vectorOptions, p.GetValue(seed));
            double vectorSeconds = clock.Elapsed.TotalSeconds;
            using var network = new DcdmNetwork(dev, shape.Rank, p.GetValue(channels), p.GetValue(seed));
            output.WriteLine($"DCDM network {shape.Rank}-D, {network.Channels} channels, {network.ParameterCount:N0} parameters, on {dev.Name}; vectors in {vectorSeconds:F1} s");
            var options = new DcdmTrainingOptions { Epochs = p.GetValue(epochs), BatchSize = p.GetValue(batch), LearningRate = p.GetValue(rate), Seed = p.GetValue(seed) };
            var record = WithProgress(output, error, options.Epochs, p.GetValue(outPath)!,
                (report, token) => DcdmTrainer.Train(network, system.Matrix, shape, data, options, report, token));
            if (record is null) return ExitCodes.Interrupted;
            var c = CultureInfo.InvariantCulture;
            var metadata = new Dictionary<string, string>
            {
                ["problem"] = system.Description,
                ["grid"] = string.Join("x", shape.ToArray()),
                ["training"] = JsonSerializer.Serialize(new
                {
                    command = "learnedsolvers " + string.Join(" ", p.Tokens.Select(t => t.Value)), // the tokens include "train dcdm"
                    vectors = p.GetValue(vectors),
                    samples = record.Samples,
                    epochs = record.Epochs,
                    batch = record.BatchSize,
                    learning_rate = record.LearningRate,
                    epoch_losses = record.EpochLosses,
                    seconds = Math.Round(record.Elapsed.TotalSeconds, 1),
                    device = dev.Name,
                    date = DateTime.UtcNow.ToString("yyyy-MM-dd", c),
                }),
            };
            DcdmModelFile.Save(network, p.GetValue(outPath)!, metadata);
            output.WriteLine(string.Create(c, $"trained {record.Epochs} epochs in {record.Elapsed.TotalSeconds:F1} s: loss {record.EpochLosses[0]:G4} → {record.FinalLoss:G4} (mean over the first and last epoch) -> {p.GetValue(outPath)}"));
            return double.IsFinite(record.FinalLoss) ? ExitCodes.Success : ExitCodes.NotConverged;
        });
        var train = new Command("train", "Train a learned solver component") { dcdm };
        foreach (var kind in Enum.GetValues<LearnedFactorKind>()) train.Subcommands.Add(TrainFactorCommand.Create(kind, output, error));
        return train;
    }

    /// <summary>
    /// Checked before any vector is generated: the training vectors (one array of samples × unknowns doubles), the
    /// network's 15 convolutions of C² 3^d weights (with gradients and Adam's moments) and a batch's activations (about
    /// 16 convolution outputs of C channels, forward and backward, in float32) must fit.
    /// </summary>
    private static void CheckNetworkFits(int channels, int samples, int batch, double unknowns, int dimensions)
    {
        double vectors = samples * unknowns;
        if (vectors > Array.MaxLength)
            throw new UsageException($"--samples {samples} of {unknowns:G4} unknowns are {vectors:G3} values, more than one array holds ({Array.MaxLength}); use at most {(long)(Array.MaxLength / unknowns)} samples");
        double weights = (double)channels * channels * Math.Pow(3, dimensions);
        if (weights > Array.MaxLength)
            throw new UsageException($"--channels {channels} gives {weights:G3} weights per convolution, more than one array holds ({Array.MaxLength})");
        double bytes = 8 * vectors + 16 * 15 * weights + 128.0 * batch * channels * unknowns;
        OptionChecks.Fits(bytes, $"--channels {channels} with --samples {samples} and --batch {batch} on {unknowns:G4} unknowns");
    }

    /// <summary>The problem's grid as the network sees it: GridSize points per side in its dimension, C order.</summary>
    internal static Devices.Shape GridShape(LinearSystem system)
    {
        int side = system.GridSize, dimension = system.Dimension;
        if (side < 1 || dimension is not (2 or 3) || Math.Pow(side, dimension) != system.Size)
            throw new UsageException($"{system.Description} is not on a square grid the network can read");
        return dimension == 2 ? new Devices.Shape(side, side) : new Devices.Shape(side, side, side);
    }

    /// <summary>
    /// Runs a trainer with a progress bar over its batches (or a line at each tenth when redirected); Ctrl-C stops it
    /// between batches. An interrupted run saves nothing: a model cut off mid-epoch is not one the command was asked
    /// for, and --out keeps whatever it held. Returns null then, after one line on stderr.
    /// </summary>
    internal static T? WithProgress<T>(TextWriter output, TextWriter error, int epochs, string outPath,
        Func<Action<TrainingProgress>, CancellationToken, T> train) where T : class
    {
        using var interruption = new Interruption();
        TrainingProgress? last = null;
        try
        {
            return ProgressReporter.Run(output, "training", epochs, "batches", progress => train(p =>
            {
                last = p;
                long total = (long)p.Epochs * p.Batches, done = (long)(p.Epoch - 1) * p.Batches + p.Batch;
                progress.Report(done, string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}/{p.Epochs}  batch {p.Batch}/{p.Batches}  loss {p.BatchLoss:G4}"), total);
                interruption.Completed();
            }, interruption.Token));
        }
        catch (OperationCanceledException) when (interruption.Requested)
        {
            error.WriteLine(last is null
                ? $"interrupted before the first batch: no model written to {outPath}"
                : $"interrupted after epoch {last.Epoch}/{last.Epochs}, batch {last.Batch}/{last.Batches}: no model written to {outPath}");
            return null;
        }
    }
}
