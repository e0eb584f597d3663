using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers train neuralpcg|precorrector|learned-fsai`: a graph network that predicts a preconditioner's factor,
/// trained on pairs (A, b, x) of a generated family or of a data set, written as a safetensors model whose metadata
/// records the architecture, what it serves and the training run.
/// </summary>
internal static class TrainFactorCommand
{
    /// <summary>The subcommand for one kind.</summary>
    public static Command Create(LearnedFactorKind kind, TextWriter output, TextWriter error)
    {
        string name = LearnedFactorModelFile.KindName(kind);
        var problem = new Option<string?>("--problem") { Description = "diffusion (ConDiff-style, a new coefficient field per system) | poisson2d | poisson3d (one matrix, new right-hand sides); or --dataset" }
            .AcceptOnlyFromAmong("diffusion", "poisson2d", "poisson3d");
        var count = new Option<int>("--count") { DefaultValueFactory = _ => 200, Description = "training systems (10% more are held out for validation)" };
        var n = new Option<int>("--n") { Description = "grid points per side (with --problem)" };
        var dataset = new Option<string?>("--dataset") { Description = "train on the solved systems of a data set written by 'learnedsolvers dataset' (diffusion, darcy or poisson) instead of generating them; the last 10% are held out" };
        var contrast = new Option<string>("--contrast") { DefaultValueFactory = _ => "1", Description = "diffusion: ConDiff's band by its GRF variance: 0.1 → contrast [5, 15], 0.4 → [50, 250], 1 → [600, 1000], 2 → [8e4, 1e5]" }
            .AcceptOnlyFromAmong("0.1", "0.4", "1", "2");
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 20, Description = "passes over the training systems" };
        var batch = new Option<int>("--batch") { DefaultValueFactory = _ => 8, Description = "systems per Adam step" };
        var rate = new Option<float>("--lr") { DefaultValueFactory = _ => 1e-3f, Description = "Adam's learning rate" };
        var hidden = new Option<int>("--hidden") { DefaultValueFactory = _ => 16, Description = "latent features of the graph network (NeuralPCG: 16)" };
        var steps = new Option<int>("--steps") { DefaultValueFactory = _ => 5, Description = "message-passing steps (NeuralPCG: 5)" };
        var loss = new Option<string>("--loss") { DefaultValueFactory = _ => "solution", Description = "solution: pairs (b, A⁻¹b), the papers' loss, weighting the smooth modes | frobenius: pairs (A z, z) with z white noise, a stochastic ‖M⁻¹ − A‖_F²" }
            .AcceptOnlyFromAmong("solution", "frobenius");
        var init = new Option<string?>("--init") { Description = "start from this trained model of the same kind (fine-tuning: e.g. on a larger grid); its architecture replaces --hidden and --steps" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "fixes the systems, the initial network and the batch order" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu|cuda|ilgpu-cpu|auto" };
        var outPath = new Option<string>("--out") { Required = true, Description = "the model file (.safetensors)" };
        string what = kind switch
        {
            LearnedFactorKind.NeuralPcg => "NeuralPCG (Li et al. 2023): a graph network predicts L on A's lower pattern; M⁻¹ = L Lᵀ",
            LearnedFactorKind.PreCorrector => "PreCorrector (Trifonov et al. 2024): a graph network corrects IC(0), L = L_IC + α·GNN; M⁻¹ = L Lᵀ",
            _ => "learned FSAI: a graph network corrects FSAI's G on A's lower pattern, G = G_FSAI + α·GNN; M = Gᵀ G, applied by two SpMVs",
        };
        var command = new Command(name, what) { problem, count, n, contrast, dataset, loss, epochs, batch, rate, hidden, steps, init, seed, device, outPath };
        command.SetAction(p =>
        {
            int grid = p.GetValue(n), systems = p.GetValue(count);
            string? datasetPath = p.GetValue(dataset);
            if (datasetPath is null && p.GetValue(problem) is null) throw new UsageException("give --problem and --n, or --dataset FILE");
            if (datasetPath is not null && p.GetValue(problem) is not null) throw new UsageException("--problem and --dataset both name the training systems; give one");
            if (datasetPath is null && grid < 2) throw new UsageException($"--n must be at least 2 (got {grid})");
            if (systems < 1) throw new UsageException($"--count must be at least 1 (got {systems})");
            if (p.GetValue(epochs) < 1) throw new UsageException($"--epochs must be at least 1 (got {p.GetValue(epochs)})");
            if (p.GetValue(batch) < 1) throw new UsageException($"--batch must be at least 1 (got {p.GetValue(batch)})");
            if (!(p.GetValue(rate) > 0) || !float.IsFinite(p.GetValue(rate))) throw new UsageException($"--lr must be positive (got {p.GetValue(rate)})");
            if (p.GetValue(hidden) < 1) throw new UsageException($"--hidden must be at least 1 (got {p.GetValue(hidden)})");
            if (p.GetValue(steps) < 0) throw new UsageException($"--steps must be at least 0 (got {p.GetValue(steps)})");
            int dimensions = p.GetValue(problem) == "poisson3d" ? 3 : 2;
            if (datasetPath is null) OptionChecks.Grid("--n", grid, dimensions, min: 2, systems: systems + Math.Max(1, systems / 10));
            CheckNetworkFits(p.GetValue(hidden), p.GetValue(steps), datasetPath is null ? Math.Pow(grid, dimensions) : 0, dimensions);
            string outFile = Path.GetFullPath(p.GetValue(outPath)!);
            if (!Directory.Exists(Path.GetDirectoryName(outFile)))
                throw new UsageException($"--out {p.GetValue(outPath)}: the directory {Path.GetDirectoryName(outFile)} does not exist");
            string problemName = p.GetValue(problem) ?? "dataset";
            bool contrastGiven = p.GetResult(contrast) is { Implicit: false };
            if (contrastGiven && problemName != "diffusion") throw new UsageException("--contrast applies to --problem diffusion only");
            double variance = double.Parse(p.GetValue(contrast)!, CultureInfo.InvariantCulture);
            var dev = SolveCommand.DeviceFromName(p.GetValue(device)!);
            int validationCount = Math.Max(1, systems / 10);
            var c = CultureInfo.InvariantCulture;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            List<FactorTrainingPair> training, validation;
            if (datasetPath is not null)
            {
                var pairs = DatasetPairs(datasetPath);
                if (p.GetValue(loss) == "frobenius") pairs = pairs.Select((pair, i) => FactorTrainingPairs.Frobenius(pair.Matrix, p.GetValue(seed) * 1_000_000 + i)).ToList();
                if (pairs.Count < 2) throw new UsageException($"--dataset {datasetPath} holds {pairs.Count} system(s); training needs at least 2 (one is held out)");
                validationCount = Math.Max(1, pairs.Count / 10);
                training = pairs.Take(pairs.Count - validationCount).ToList();
                validation = pairs.Skip(pairs.Count - validationCount).ToList();
                output.WriteLine($"{training.Count} + {validationCount} systems from {datasetPath}");
            }
            else
            {
                output.WriteLine($"{systems} + {validationCount} {problemName} systems on a {grid}-point grid: solving for the training pairs …");
                var pairs = FactorPairs(problemName, grid, variance, p.GetValue(seed), systems + validationCount, p.GetValue(loss) == "frobenius");
                training = pairs.Take(systems).ToList();
                validation = pairs.Skip(systems).ToList();
            }
            if (p.GetValue(init) is not null && (p.GetResult(hidden) is { Implicit: false } || p.GetResult(steps) is { Implicit: false }))
                throw new UsageException("--init takes its architecture from the model file; leave out --hidden and --steps");
            using var model = p.GetValue(init) is { } initPath
                ? LearnedFactorModelFile.Load(initPath, dev, kind).Model
                : new LearnedFactorModel(dev, kind, p.GetValue(hidden), p.GetValue(steps), p.GetValue(seed));
            output.WriteLine(string.Create(c, $"{name}: graph network, hidden {model.Network.Hidden}, {model.Network.Steps} steps, {model.Network.ParameterCount:N0} parameters, on {dev.Name}; pairs in {clock.Elapsed.TotalSeconds:F1} s"));
            var options = new LearnedFactorTrainingOptions { Epochs = p.GetValue(epochs), BatchSize = p.GetValue(batch), LearningRate = p.GetValue(rate), Seed = p.GetValue(seed) };
            var record = TrainCommand.WithProgress(output, error, options.Epochs, p.GetValue(outPath)!,
                (report, token) => LearnedFactorTrainer.Train(model, training, validation, options, report, token));
            if (record is null) return ExitCodes.Interrupted;
            var metadata = new Dictionary<string, string>
            {
                ["problem"] = training[0].Matrix.ToString() + (datasetPath is not null ? $" (data set {Path.GetFileName(datasetPath)})"
                    : $" ({problemName}, grid {grid}" + (problemName == "diffusion" ? $", ConDiff variance {variance}" : "") + ")"),
                ["serves"] = kind == LearnedFactorKind.NeuralPcg
                    ? "any SPD matrix with a positive diagonal (local, scale-free features of the matrix's graph); NeuralPCG's off-diagonal entries are unbounded, so a factor that is SPD can still be poor on grids far larger than the training grid: check the iterations there"
                    : "any SPD matrix with a positive diagonal: the network reads local, scale-free features of the matrix's graph and corrects a classical factor of the matrix itself, so the grid size is free",
                ["training"] = JsonSerializer.Serialize(new
                {
                    command = "learnedsolvers " + string.Join(" ", p.Tokens.Select(t => t.Value)),
                    loss = p.GetValue(loss),
                    systems = record.Systems,
                    epochs = record.Epochs,
                    batch = record.BatchSize,
                    learning_rate = record.LearningRate,
                    epoch_losses = record.EpochLosses,
                    validation_losses = record.ValidationLosses,
                    alpha = model.Alpha?.Value.ToArray()[0],
                    seconds = Math.Round(record.Elapsed.TotalSeconds, 1),
                    device = dev.Name,
                    date = DateTime.UtcNow.ToString("yyyy-MM-dd", c),
                }),
            };
            LearnedFactorModelFile.Save(model, p.GetValue(outPath)!, metadata);
            output.WriteLine(string.Create(c, $"trained {record.Epochs} epochs in {record.Elapsed.TotalSeconds:F1} s: loss {record.EpochLosses[0]:G4} → {record.FinalLoss:G4}, validation {record.ValidationLosses[^1]:G4} -> {p.GetValue(outPath)}"));
            return double.IsFinite(record.FinalLoss) ? ExitCodes.Success : ExitCodes.NotConverged;
        });
        return command;
    }

    /// <summary>
    /// The graph network's parameters (about 8 H² per message-passing step, with gradients and Adam's two moments) and
    /// one system's activations in training (about 32 bytes per edge, hidden channel and step) must fit, checked before
    /// any training pair is solved: a mistyped --hidden or --steps otherwise fails minutes later, or not at all.
    /// </summary>
    private static void CheckNetworkFits(int hidden, int steps, double unknowns, int dimensions)
    {
        double perStep = 8.0 * hidden * hidden;
        if (perStep > Array.MaxLength)
            throw new UsageException($"--hidden {hidden} gives {perStep:G3} weights per message-passing step, more than one array holds ({Array.MaxLength}); use at most {(int)Math.Sqrt(Array.MaxLength / 8.0)}");
        double edges = (2 * dimensions + 1) * unknowns;
        double bytes = 16 * perStep * (steps + 1) + 32 * edges * hidden * (steps + 1);
        OptionChecks.Fits(bytes, $"--hidden {hidden} with --steps {steps}" + (unknowns > 0 ? $" on {unknowns:G4} unknowns" : ""));
    }

    /// <summary>
    /// Pairs (A, b, A⁻¹b), or (A, A z, z) for the Frobenius loss: diffusion systems with seeds seed·10⁶ + i, or one Poisson
    /// matrix with white-noise right-hand sides.
    /// </summary>
    internal static List<FactorTrainingPair> FactorPairs(string problem, int grid, double variance, int seed, int count, bool frobenius = false)
    {
        var poisson = problem == "diffusion" ? null
            : ParametricFamily.RightHandSides(problem == "poisson3d" ? Poisson.ThreeD(grid) : Poisson.TwoD(grid), count, seed).ToList();
        return Enumerable.Range(0, count).AsParallel().AsOrdered().Select(i =>
        {
            var system = poisson?[i] ?? Diffusion.Generate(DiffusionOptions.ConDiff(grid, variance, seed: seed * 1_000_000 + i));
            return frobenius ? FactorTrainingPairs.Frobenius(system.Matrix, seed * 1_000_000 + i) : FactorTrainingPairs.Solve(system);
        }).ToList();
    }

    /// <summary>The pairs (A, b, x) of a data set written by `dataset`.</summary>
    internal static List<FactorTrainingPair> DatasetPairs(string path)
    {
        var (data, systems) = DatasetSystems.Read(path, "--dataset");
        return systems.Select((s, i) => new FactorTrainingPair(s.Matrix, s.RightHandSide, DatasetSystems.Row(data.Solutions, i))).ToList();
    }
}
