using System.Text.Json;
using System.Text.Unicode;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// Parses and checks the JSON header of a safetensors file against the size of its data section, before any tensor
/// memory is allocated: every entry must have exactly dtype, shape and data_offsets; offsets must match shape × dtype
/// size and tile the data section without gaps or overlaps (the reference reader's rules, plus strictness about
/// duplicate and unknown keys, which it would silently accept or drop).
/// </summary>
internal sealed class SafetensorsHeader
{
    /// <summary>One tensor's entry, its offsets relative to the start of the data section.</summary>
    internal sealed record Entry(string Name, SafetensorsDtype Dtype, int[] Shape, int ElementCount, long Begin, long End)
    {
        public long ByteCount => End - Begin;
    }

    private SafetensorsHeader(Dictionary<string, string> metadata, List<Entry> entries)
    {
        Metadata = metadata;
        Entries = entries;
    }

    public const string MetadataKey = "__metadata__";

    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in data order (ascending offsets).</summary>
    public IReadOnlyList<Entry> Entries { get; }

    /// <summary>Parses <paramref name="header"/> and checks it against a data section of <paramref name="dataLength"/> bytes.</summary>
    /// <exception cref="SafetensorsFormatException">Anything wrong, named in the message.</exception>
    public static SafetensorsHeader Parse(ReadOnlyMemory<byte> header, long dataLength, string fileName)
    {
        if (!Utf8.IsValid(header.Span)) throw Bad(fileName, "the header is not valid UTF-8.");
        if (header.Length == 0 || header.Span[0] != (byte)'{')
            throw Bad(fileName, "the header does not start with '{'; it must be a JSON object.");

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(header, new JsonDocumentOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        }
        catch (JsonException e)
        {
            throw Bad(fileName, $"the header is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object) throw Bad(fileName, $"the header is a JSON {root.ValueKind}, not an object.");
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var names = new HashSet<string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                if (!names.Add(property.Name)) throw Bad(fileName, $"the header names '{property.Name}' twice.");
                if (property.Name == MetadataKey) ReadMetadata(property.Value, metadata, fileName);
                else entries.Add(ReadEntry(property.Name, property.Value, dataLength, fileName));
            }
            CheckCoverage(entries, dataLength, fileName);
            return new SafetensorsHeader(metadata, entries);
        }
    }

    private static void ReadMetadata(JsonElement value, Dictionary<string, string> metadata, string fileName)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(fileName, $"{MetadataKey} is a JSON {value.ValueKind}; it must be an object of strings.");
        foreach (var item in value.EnumerateObject())
        {
            if (item.Value.ValueKind != JsonValueKind.String)
                throw Bad(fileName, $"{MetadataKey}['{item.Name}'] is a JSON {item.Value.ValueKind}; metadata values must be strings.");
            if (!metadata.TryAdd(item.Name, item.Value.GetString()!))
                throw Bad(fileName, $"{MetadataKey} names '{item.Name}' twice.");
        }
    }

    private static Entry ReadEntry(string name, JsonElement value, long dataLength, string fileName)
    {
        if (value.ValueKind != JsonValueKind.Object)
            throw Bad(fileName, $"tensor '{name}': the entry is a JSON {value.ValueKind}; it must be an object with dtype, shape and data_offsets.");
        JsonElement? dtypeValue = null, shapeValue = null, offsetsValue = null;
        foreach (var field in value.EnumerateObject())
        {
            ref JsonElement? slot = ref dtypeValue;
            switch (field.Name)
            {
                case "dtype": break;
                case "shape": slot = ref shapeValue; break;
                case "data_offsets": slot = ref offsetsValue; break;
                default: throw Bad(fileName, $"tensor '{name}': unknown field '{field.Name}' (an entry has exactly dtype, shape and data_offsets).");
            }
            if (slot is not null) throw Bad(fileName, $"tensor '{name}': field '{field.Name}' appears twice.");
            slot = field.Value;
        }
        if (dtypeValue is not { } dtypeElement) throw Missing(name, "dtype", fileName);
        if (shapeValue is not { } shapeElement) throw Missing(name, "shape", fileName);
        if (offsetsValue is not { } offsetsElement) throw Missing(name, "data_offsets", fileName);

        if (dtypeElement.ValueKind != JsonValueKind.String)
            throw Bad(fileName, $"tensor '{name}': dtype is a JSON {dtypeElement.ValueKind}; it must be a string.");
        string dtypeName = dtypeElement.GetString()!;
        if (!SafetensorsDtypeInfo.TryParse(dtypeName, out var dtype))
            throw Bad(fileName, $"tensor '{name}': unknown dtype '{dtypeName}' (this reader knows {SafetensorsDtypeInfo.KnownNames}).");

        if (shapeElement.ValueKind != JsonValueKind.Array)
            throw Bad(fileName, $"tensor '{name}': shape is a JSON {shapeElement.ValueKind}; it must be an array of dimensions.");
        var shape = new int[shapeElement.GetArrayLength()];
        long elements = 1;
        int axis = 0;
        foreach (var dimension in shapeElement.EnumerateArray())
        {
            if (dimension.ValueKind != JsonValueKind.Number || !dimension.TryGetInt32(out int size) || size < 0)
                throw Bad(fileName, $"tensor '{name}': shape entry {axis} is {dimension.GetRawText()}; dimensions are integers 0..{int.MaxValue}.");
            shape[axis++] = size;
            elements = Math.Min(elements * size, (long)int.MaxValue + 1);
        }
        if (elements > int.MaxValue)
            throw Bad(fileName, $"tensor '{name}': shape {SafetensorsTensor.Format(shape)} holds more than {int.MaxValue} values, more than this reader supports.");
        long bytes = elements * dtype.ElementSize();

        if (offsetsElement.ValueKind != JsonValueKind.Array || offsetsElement.GetArrayLength() != 2)
            throw Bad(fileName, $"tensor '{name}': data_offsets is {offsetsElement.GetRawText()}; it must be [begin, end].");
        var begin = Offset(offsetsElement[0], name, fileName);
        var end = Offset(offsetsElement[1], name, fileName);
        if (begin > end) throw Bad(fileName, $"tensor '{name}': data_offsets [{begin}, {end}] begin after they end.");
        if (end > (ulong)dataLength)
            throw Bad(fileName, $"tensor '{name}': data_offsets [{begin}, {end}] run past the data section, which has {dataLength} bytes.");
        if ((long)(end - begin) != bytes)
            throw Bad(fileName, $"tensor '{name}': data_offsets [{begin}, {end}] hold {end - begin} bytes, but {dtypeName} of shape {SafetensorsTensor.Format(shape)} needs {bytes}.");
        if (bytes > Array.MaxLength)
            throw Bad(fileName, $"tensor '{name}' has {bytes} bytes, more than one array holds ({Array.MaxLength}).");
        return new Entry(name, dtype, shape, (int)elements, (long)begin, (long)end);
    }

    private static ulong Offset(JsonElement value, string name, string fileName) =>
        value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out ulong offset)
            ? offset
            : throw Bad(fileName, $"tensor '{name}': data offset {value.GetRawText()} is not a non-negative integer.");

    /// <summary>Sorts by offsets and checks that the entries tile [0, dataLength) exactly.</summary>
    private static void CheckCoverage(List<Entry> entries, long dataLength, string fileName)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long covered = 0;
        Entry? previous = null;
        foreach (var e in entries)
        {
            if (e.Begin < covered)
                throw Bad(fileName, $"tensor '{e.Name}' at [{e.Begin}, {e.End}] overlaps tensor '{previous!.Name}' at [{previous.Begin}, {previous.End}].");
            if (e.Begin > covered)
                throw Bad(fileName, $"data bytes [{covered}, {e.Begin}) before tensor '{e.Name}' belong to no tensor; tensors must be packed.");
            covered = e.End;
            previous = e;
        }
        if (covered != dataLength)
            throw Bad(fileName, $"data bytes [{covered}, {dataLength}) after the last tensor belong to no tensor; tensors must cover the data section exactly.");
    }

    private static SafetensorsFormatException Missing(string name, string field, string fileName) =>
        Bad(fileName, $"tensor '{name}': missing field '{field}'.");

    private static SafetensorsFormatException Bad(string fileName, string detail, Exception? inner = null) => new(fileName, detail, inner);
}
