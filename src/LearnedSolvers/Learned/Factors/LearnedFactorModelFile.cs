using System.Globalization;
using System.Text.Json;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// A trained learned-factor model in a safetensors file: the graph network's parameters (and α) under their state_dict
/// names, and in the metadata the architecture ("architecture": {"model": "neuralpcg" | "precorrector" | "learned-fsai",
/// "hidden", "steps", "node_features", "edge_features"}) and free-form records of the training. The network reads
/// local, scale-free features of the matrix's graph, so a model is not tied to the grid it was trained on.
/// </summary>
public static class LearnedFactorModelFile
{
    public const string ArchitectureKey = "architecture";

    /// <summary>Writes the model (whole or not at all).</summary>
    public static void Save(LearnedFactorModel model, string path, IReadOnlyDictionary<string, string>? records = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var metadata = new Dictionary<string, string>(records ?? new Dictionary<string, string>())
        {
            [ArchitectureKey] = JsonSerializer.Serialize(new
            {
                model = model.Name,
                hidden = model.Network.Hidden,
                steps = model.Network.Steps,
                node_features = model.Network.NodeFeatures,
                edge_features = model.Network.EdgeFeatures,
            }),
        };
        ParameterFile.Write(path, model.Parameters, metadata);
    }

    /// <summary>
    /// Reads a model onto <paramref name="device"/>. A file of another architecture or kind, or whose tensors differ from
    /// the architecture's, is refused with <see cref="SafetensorsFormatException"/> naming what differs.
    /// </summary>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="device">Where the network runs.</param>
    /// <param name="expected">The kind the caller needs (null: any).</param>
    public static (LearnedFactorModel Model, IReadOnlyDictionary<string, string> Metadata) Load(string path, Device device, LearnedFactorKind? expected = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(device);
        var file = SafetensorsFile.Read(path);
        var (kind, hidden, steps) = Architecture(file, path);
        if (expected is { } need && need != kind)
            throw new SafetensorsFormatException(path, $"the model is '{KindName(kind)}', not '{KindName(need)}'");
        var model = new LearnedFactorModel(device, kind, hidden, steps);
        try
        {
            ParameterFile.CopyInto(file, path, model.Parameters, KindName(kind));
            return (model, file.Metadata);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The registry and file name of a kind ("neuralpcg", "precorrector", "learned-fsai").</summary>
    public static string KindName(LearnedFactorKind kind) => kind switch
    {
        LearnedFactorKind.NeuralPcg => "neuralpcg",
        LearnedFactorKind.PreCorrector => "precorrector",
        LearnedFactorKind.LearnedFsai => "learned-fsai",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown learned factor kind."),
    };

    /// <summary>The kind named <paramref name="name"/> (as <see cref="KindName"/>), or null.</summary>
    public static LearnedFactorKind? KindFromName(string name) =>
        Enum.GetValues<LearnedFactorKind>().Cast<LearnedFactorKind?>().FirstOrDefault(k => string.Equals(KindName(k!.Value), name.Trim(), StringComparison.OrdinalIgnoreCase));

    private static (LearnedFactorKind Kind, int Hidden, int Steps) Architecture(SafetensorsFile file, string path)
    {
        if (!file.Metadata.TryGetValue(ArchitectureKey, out var text))
            throw new SafetensorsFormatException(path, $"no '{ArchitectureKey}' entry in the metadata: not a learned-factor model file");
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            string model = root.GetProperty("model").GetString() ?? "";
            var kind = KindFromName(model)
                ?? throw new SafetensorsFormatException(path, $"the model is '{model}', not one of neuralpcg, precorrector, learned-fsai");
            int hidden = root.GetProperty("hidden").GetInt32(), steps = root.GetProperty("steps").GetInt32();
            int nodeFeatures = root.GetProperty("node_features").GetInt32(), edgeFeatures = root.GetProperty("edge_features").GetInt32();
            if (hidden < 1 || steps < 0 || nodeFeatures != FactorFeatures.NodeCount || edgeFeatures != FactorFeatures.EdgeCount)
                throw new SafetensorsFormatException(path, string.Create(CultureInfo.InvariantCulture,
                    $"the architecture says hidden {hidden}, steps {steps}, {nodeFeatures} node and {edgeFeatures} edge features; this library reads {FactorFeatures.NodeCount} and {FactorFeatures.EdgeCount}"));
            return (kind, hidden, steps);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException and not SafetensorsFormatException)
        {
            throw new SafetensorsFormatException(path, $"the '{ArchitectureKey}' metadata is not valid: {e.Message}", e);
        }
    }
}
