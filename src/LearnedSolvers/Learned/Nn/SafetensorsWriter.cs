using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using LearnedSolvers.IO;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// Lays out and writes safetensors files as the reference Rust writer does (the one behind safetensors.torch.save_file),
/// so a file written here is byte-identical to Python's for the same tensors and metadata: the same tensor order, the
/// JSON as serde_json prints it (no spaces, non-ASCII characters raw, control characters escaped as \n or \u00XX with
/// lowercase hex) and the same padding. Metadata keys, which the Rust writer prints in hash order, are sorted here.
/// </summary>
internal static class SafetensorsWriter
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    internal sealed record Prepared(byte[] Header, IReadOnlyList<SafetensorsTensor> Tensors);

    /// <summary>Checks names and metadata, orders the tensors and builds the padded header.</summary>
    public static Prepared Prepare(IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = new List<(byte[] Utf8Name, SafetensorsTensor Tensor)>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in tensors)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(tensors));
            if (t.Name == SafetensorsHeader.MetadataKey)
                throw new ArgumentException($"'{SafetensorsHeader.MetadataKey}' is reserved for the metadata and cannot name a tensor.", nameof(tensors));
            if (!names.Add(t.Name)) throw new ArgumentException($"Two tensors are named '{t.Name}'.", nameof(tensors));
            list.Add((Utf8(t.Name, nameof(tensors)), t));
        }
        list.Sort((a, b) => a.Tensor.Dtype != b.Tensor.Dtype
            ? b.Tensor.Dtype.CompareTo(a.Tensor.Dtype)
            : a.Utf8Name.AsSpan().SequenceCompareTo(b.Utf8Name));

        var json = new StringBuilder("{");
        if (metadata is not null)
        {
            json.Append("\"__metadata__\":{");
            var entries = metadata.Select(kv => (Key: Utf8(kv.Key, nameof(metadata)), kv.Key, kv.Value)).ToList();
            entries.Sort((a, b) => a.Item1.AsSpan().SequenceCompareTo(b.Item1));
            for (int i = 0; i < entries.Count; i++)
            {
                ArgumentNullException.ThrowIfNull(entries[i].Value, nameof(metadata));
                Utf8(entries[i].Value, nameof(metadata));
                if (i > 0) json.Append(',');
                AppendString(json, entries[i].Item2).Append(':');
                AppendString(json, entries[i].Value);
            }
            json.Append('}');
            if (list.Count > 0) json.Append(',');
        }
        long offset = 0;
        for (int i = 0; i < list.Count; i++)
        {
            var t = list[i].Tensor;
            if (i > 0) json.Append(',');
            AppendString(json, t.Name).Append(":{\"dtype\":\"").Append(t.Dtype.HeaderName()).Append("\",\"shape\":[");
            json.AppendJoin(',', t.Shape.Select(d => d.ToString(CultureInfo.InvariantCulture)));
            json.Append("],\"data_offsets\":[").Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',');
            offset += t.ByteCount;
            json.Append(offset.ToString(CultureInfo.InvariantCulture)).Append("]}");
        }
        json.Append('}');

        int length = StrictUtf8.GetByteCount(json.ToString());
        int padded = (length + 7) / 8 * 8;
        var header = new byte[padded];
        StrictUtf8.GetBytes(json.ToString(), header);
        header.AsSpan(length).Fill((byte)' ');
        return new Prepared(header, list.Select(e => e.Tensor).ToList());
    }

    /// <summary>Writes length, header and data; flushes the stream.</summary>
    public static void Serialize(Stream stream, Prepared prepared)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)prepared.Header.Length);
        stream.Write(prefix);
        stream.Write(prepared.Header);
        foreach (var t in prepared.Tensors) stream.Write(t.Data);
        stream.Flush();
    }

    /// <summary>
    /// Writes to a temporary file in the target's directory, then moves it over the target. <paramref name="wrapForTesting"/>
    /// wraps the file stream, so that tests can make a write fail part way.
    /// </summary>
    public static void WriteFile(string path, IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata,
        Func<Stream, Stream>? wrapForTesting)
    {
        ArgumentNullException.ThrowIfNull(path);
        var prepared = Prepare(tensors, metadata); // before any file exists, so a refusal leaves nothing behind
        AtomicFile.Write(path, file => Serialize(wrapForTesting?.Invoke(file) ?? file, prepared));
    }

    private static byte[] Utf8(string text, string paramName)
    {
        ArgumentNullException.ThrowIfNull(text, paramName);
        try
        {
            return StrictUtf8.GetBytes(text);
        }
        catch (EncoderFallbackException e)
        {
            throw new ArgumentException($"The string '{text}' is not valid Unicode (an unpaired surrogate), so it has no UTF-8 form.", paramName, e);
        }
    }

    /// <summary>A JSON string as serde_json writes it.</summary>
    private static StringBuilder AppendString(StringBuilder json, string text)
    {
        json.Append('"');
        foreach (char c in text)
        {
            switch (c)
            {
                case '"': json.Append("\\\""); break;
                case '\\': json.Append("\\\\"); break;
                case '\b': json.Append("\\b"); break;
                case '\f': json.Append("\\f"); break;
                case '\n': json.Append("\\n"); break;
                case '\r': json.Append("\\r"); break;
                case '\t': json.Append("\\t"); break;
                case < ' ': json.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture)); break;
                default: json.Append(c); break;
            }
        }
        return json.Append('"');
    }
}
