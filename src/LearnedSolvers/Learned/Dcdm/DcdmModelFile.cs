using System.Globalization;
using System.Text.Json;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// A trained DCDM network in a safetensors file: its parameters under their PyTorch names and layouts (a state_dict of
/// the same architecture loads, and this file loads into PyTorch), and in the metadata the architecture
/// ("architecture": {"model": "dcdm", "dimensions", "channels"}) and free-form records of where it came from
/// (training data, epochs, losses).
/// </summary>
public static class DcdmModelFile
{
    public const string ArchitectureKey = "architecture";

    /// <summary>Writes the network's parameters and metadata (whole or not at all).</summary>
    /// <param name="network">The network to save.</param>
    /// <param name="path">The .safetensors file.</param>
    /// <param name="records">More metadata ("training", "grid", "problem", …), string values.</param>
    public static void Save(DcdmNetwork network, string path, IReadOnlyDictionary<string, string>? records = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var metadata = new Dictionary<string, string>(records ?? new Dictionary<string, string>())
        {
            [ArchitectureKey] = JsonSerializer.Serialize(new { model = "dcdm", dimensions = network.SpatialDimensions, channels = network.Channels }),
        };
        ParameterFile.Write(path, network.Parameters, metadata);
    }

    /// <summary>
    /// Reads a network onto <paramref name="device"/>. A file of another architecture, or whose tensors' names or shapes
    /// differ from the architecture's, is refused with <see cref="SafetensorsFormatException"/> naming what differs.
    /// </summary>
    public static (DcdmNetwork Network, IReadOnlyDictionary<string, string> Metadata) Load(string path, Device device)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(device);
        var file = SafetensorsFile.Read(path);
        var (dimensions, channels) = Architecture(file, path);
        var network = new DcdmNetwork(device, dimensions, channels);
        try
        {
            ParameterFile.CopyInto(file, path, network.Parameters, "DCDM");
            return (network, file.Metadata);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    private static (int Dimensions, int Channels) Architecture(SafetensorsFile file, string path)
    {
        if (!file.Metadata.TryGetValue(ArchitectureKey, out var text))
            throw new SafetensorsFormatException(path, $"no '{ArchitectureKey}' entry in the metadata: not a DCDM model file");
        try
        {
            using var json = JsonDocument.Parse(text);
            var root = json.RootElement;
            string model = root.GetProperty("model").GetString() ?? "";
            if (model != "dcdm") throw new SafetensorsFormatException(path, $"the model is '{model}', not 'dcdm'");
            int dimensions = root.GetProperty("dimensions").GetInt32(), channels = root.GetProperty("channels").GetInt32();
            if (dimensions is not (2 or 3) || channels < 1)
                throw new SafetensorsFormatException(path, string.Create(CultureInfo.InvariantCulture, $"the architecture says {dimensions} dimensions and {channels} channels"));
            return (dimensions, channels);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException and not SafetensorsFormatException)
        {
            throw new SafetensorsFormatException(path, $"the '{ArchitectureKey}' metadata is not valid: {e.Message}", e);
        }
    }
}
