using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>Tiny systems and small models shared by the learned-factor tests; model files live in one temporary folder per test run.</summary>
public static class LearnedFactorTestData
{
    public static readonly LearnedFactorKind[] Kinds = Enum.GetValues<LearnedFactorKind>();

    public static TheoryData<LearnedFactorKind> AllKinds => new(Kinds);

    /// <summary>A variance-1 ConDiff system (contrast in [600, 1000]).</summary>
    public static LinearSystem Diffusion(int n, int seed) => LearnedSolvers.Problems.Diffusion.Generate(DiffusionOptions.ConDiff(n, 1.0, seed: seed));

    /// <summary>Poisson 2-D 7², diffusion 9², Poisson 3-D 4³.</summary>
    public static IReadOnlyList<(string Name, CsrMatrix Matrix)> TestMatrices { get; } =
    [
        ("poisson2d 7x7", Poisson.TwoD(7).Matrix),
        ("diffusion 9x9", Diffusion(9, 3).Matrix),
        ("poisson3d 4x4x4", Poisson.ThreeD(4).Matrix),
    ];

    public static FactorTrainingPair Pair(int n, int seed) => FactorTrainingPairs.Solve(Diffusion(n, seed));

    private static readonly Lazy<string> s_folder = new(() =>
    {
        string dir = Directory.CreateTempSubdirectory("ls-factors-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        };
        return dir;
    });

    private static readonly Dictionary<LearnedFactorKind, string> s_files = [];

    /// <summary>
    /// A saved model of <paramref name="kind"/> (hidden 8, 2 steps, seed 3), trained for one epoch on four 7² diffusion
    /// systems at the default learning rate so that it is not just its initialization; written once per test run. At
    /// 1e-2 instead, NeuralPCG's off-diagonal entries reach 0.94 of the diagonal, ‖L⁻¹‖ grows geometrically with the grid
    /// (‖L⁻¹1‖∞ 840 on 7², 1e15 on 32²) and PCG stalls on Poisson 32²: SPD, but useless.
    /// </summary>
    public static string ModelFile(LearnedFactorKind kind)
    {
        lock (s_files)
        {
            if (s_files.TryGetValue(kind, out var path)) return path;
            path = Path.Combine(s_folder.Value, LearnedFactorModelFile.KindName(kind) + ".safetensors");
            using var model = new LearnedFactorModel(Device.Cpu, kind, hidden: 8, steps: 2, seed: 3);
            LearnedFactorTrainer.Train(model, TrainingPairs, [], new LearnedFactorTrainingOptions { Epochs = 1, BatchSize = 2, Seed = 1 });
            LearnedFactorModelFile.Save(model, path);
            s_files[kind] = path;
            return path;
        }
    }

    private static readonly Lazy<FactorTrainingPair[]> s_training = new(() => [.. Enumerable.Range(0, 4).Select(i => Pair(7, 100 + i))]);

    /// <summary>Four 7² diffusion pairs.</summary>
    public static IReadOnlyList<FactorTrainingPair> TrainingPairs => s_training.Value;

    /// <summary>The registry settings a preconditioner needs in the generic suites: a learned factor's model file, nothing for the others.</summary>
    public static Dictionary<string, string>? RegistrySettings(string name) =>
        LearnedFactorModelFile.KindFromName(name) is { } kind ? new() { ["model"] = ModelFile(kind) } : null;

    /// <summary>A folder for files a test writes (removed at the end of the run).</summary>
    public static string Folder => s_folder.Value;
}
