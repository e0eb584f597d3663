using System.Buffers.Binary;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// A safetensors file (Hugging Face's format for PyTorch state_dicts): an 8-byte little-endian header length N, N bytes of
/// UTF-8 JSON naming each tensor's dtype, shape and byte range, then the packed little-endian data. <see cref="Read(string)"/>
/// loads all tensors into memory after checking the header against the file's length; <see cref="Write(string, IEnumerable{SafetensorsTensor}, IReadOnlyDictionary{string, string}?)"/>
/// writes what safetensors.torch.save_file writes for the same tensors, byte for byte (with two or more metadata keys, up
/// to their order, which the reference writer takes from a hash map), and replaces a file whole or not at all.
/// </summary>
public sealed class SafetensorsFile
{
    /// <summary>The largest header the format allows (the reference implementation's limit): 100 MB.</summary>
    public const int MaxHeaderBytes = 100_000_000;

    private readonly Dictionary<string, SafetensorsTensor> _byName;

    private SafetensorsFile(IReadOnlyDictionary<string, string> metadata, List<SafetensorsTensor> tensors)
    {
        Metadata = metadata;
        Tensors = tensors;
        _byName = tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    /// <summary>The free-form string map stored under "__metadata__"; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensors in the order of their data in the file.</summary>
    public IReadOnlyList<SafetensorsTensor> Tensors { get; }

    /// <summary>The tensor named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No tensor has that name; the message lists those present.</exception>
    public SafetensorsTensor this[string name] => _byName.TryGetValue(name, out var tensor)
        ? tensor
        : throw new KeyNotFoundException($"No tensor is named '{name}'; the file holds {string.Join(", ", Tensors.Select(t => $"'{t.Name}'"))}.");

    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out SafetensorsTensor tensor) =>
        _byName.TryGetValue(name, out tensor);

    /// <summary>Reads a whole file.</summary>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file; the message says why.</exception>
    public static SafetensorsFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(stream, path);
    }

    /// <summary>
    /// Reads a file from <paramref name="stream"/>'s current position to its end. A stream that cannot seek is first
    /// copied to memory, so that sizes in the header can be checked against the bytes actually there before tensor
    /// memory is allocated.
    /// </summary>
    /// <param name="stream">The file; not closed.</param>
    /// <param name="name">Names the file in error messages.</param>
    /// <exception cref="SafetensorsFormatException">The file is not a valid safetensors file; the message says why.</exception>
    public static SafetensorsFile Read(Stream stream, string name = "stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }

        long available = stream.Length - stream.Position;
        if (available < 8)
            throw new SafetensorsFormatException(name, $"the file is truncated: {available} bytes, fewer than the 8 of the header length.");
        Span<byte> prefix = stackalloc byte[8];
        ReadExactly(stream, prefix, name, "the header length");
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderBytes)
            throw new SafetensorsFormatException(name, $"the header length is {headerLength} bytes, over the format's limit of {MaxHeaderBytes}.");
        if ((long)headerLength > available - 8)
            throw new SafetensorsFormatException(name, $"the header length is {headerLength} bytes, beyond the end of the file ({available} bytes in all).");

        var headerBytes = new byte[headerLength];
        ReadExactly(stream, headerBytes, name, "the header");
        long dataLength = available - 8 - (long)headerLength;
        var header = SafetensorsHeader.Parse(headerBytes, dataLength, name);

        var tensors = new List<SafetensorsTensor>(header.Entries.Count);
        foreach (var e in header.Entries)
        {
            var data = new byte[e.ByteCount];
            ReadExactly(stream, data, name, $"tensor '{e.Name}'");
            tensors.Add(new SafetensorsTensor(e.Name, e.Dtype, e.Shape, e.ElementCount, data));
        }
        return new SafetensorsFile(header.Metadata, tensors);
    }

    private static void ReadExactly(Stream stream, Span<byte> buffer, string name, string what)
    {
        try
        {
            stream.ReadExactly(buffer);
        }
        catch (EndOfStreamException e)
        {
            throw new SafetensorsFormatException(name, $"the file is truncated: it ends inside {what}.", e);
        }
    }

    /// <summary>Writes F32 tensors; see <see cref="Write(string, IEnumerable{SafetensorsTensor}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public static void Write(string path, IEnumerable<(string Name, int[] Shape, float[] Values)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, tensors.Select(t => SafetensorsTensor.FromSingles(t.Name, t.Shape, t.Values)).ToList(), metadata);
    }

    /// <summary>Writes F64 tensors; see <see cref="Write(string, IEnumerable{SafetensorsTensor}, IReadOnlyDictionary{string, string}?)"/>.</summary>
    public static void Write(string path, IEnumerable<(string Name, int[] Shape, double[] Values)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        Write(path, tensors.Select(t => SafetensorsTensor.FromDoubles(t.Name, t.Shape, t.Values)).ToList(), metadata);
    }

    /// <summary>
    /// Writes <paramref name="tensors"/> to <paramref name="path"/>, replacing any file there only once the new one is
    /// complete: the file is written beside it under a temporary name, flushed to disk, then moved over it, so a failure
    /// leaves the old file as it was. Layout as safetensors' own writer: tensors ordered by dtype (widest alignment
    /// first) then by name (UTF-8 byte order), packed; "__metadata__" first in the header when given; the header padded
    /// with spaces to a multiple of 8 bytes.
    /// </summary>
    /// <exception cref="ArgumentException">Two tensors share a name, a name is "__metadata__", or a string is not valid Unicode.</exception>
    public static void Write(string path, IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsWriter.WriteFile(path, tensors, metadata, wrapForTesting: null);

    /// <summary>Writes the file to <paramref name="stream"/> at its current position; flushed, not closed.</summary>
    /// <inheritdoc cref="Write(string, IEnumerable{SafetensorsTensor}, IReadOnlyDictionary{string, string}?)" path="/exception"/>
    public static void Write(Stream stream, IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var prepared = SafetensorsWriter.Prepare(tensors, metadata);
        SafetensorsWriter.Serialize(stream, prepared);
    }
}
