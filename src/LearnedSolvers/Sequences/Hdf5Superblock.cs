using System.Buffers.Binary;

namespace LearnedSolvers.Sequences;

/// <summary>
/// Checks an HDF5 file's superblock before the HDF5 library opens it: the signature, the superblock's own checksum
/// (versions 2 and 3) and that the file is as long as the superblock says. A truncated file (an interrupted copy or
/// write) otherwise reaches PureHDF, which on one such file read its object headers over and over without returning.
/// Layout: the HDF5 File Format Specification, "Superblock" (versions 0 to 3).
/// </summary>
internal static class Hdf5Superblock
{
    private static ReadOnlySpan<byte> Signature => [0x89, (byte)'H', (byte)'D', (byte)'F', 0x0d, 0x0a, 0x1a, 0x0a];

    /// <exception cref="DatasetFormatException">No superblock, a superblock checksum mismatch, or a file shorter than its superblock says.</exception>
    public static void Check(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        long length = stream.Length;
        Span<byte> head = stackalloc byte[96];
        // The superblock sits at 0 or after a user block of 512, 1024, 2048, … bytes.
        for (long at = 0; at + Signature.Length <= length; at = at == 0 ? 512 : 2 * at)
        {
            stream.Position = at;
            int read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (!head[..Math.Min(read, Signature.Length)].SequenceEqual(Signature)) continue;
            CheckAt(path, head[..read], at, length);
            return;
        }
        throw new DatasetFormatException(path, "not an HDF5 file (no superblock signature)");
    }

    private static void CheckAt(string path, ReadOnlySpan<byte> head, long at, long length)
    {
        if (head.Length < 14) throw Truncated(path, length, "the superblock is cut off"); // every version holds its offset size within 14 bytes
        int version = head[8];
        int offsetSize;
        int eofField;              // where the end-of-file address starts
        int end;                   // bytes of the superblock this check reads
        switch (version)
        {
            case 0 or 1:
                offsetSize = head[13];
                eofField = (version == 0 ? 24 : 28) + 2 * offsetSize;
                end = eofField + offsetSize;
                break;
            case 2 or 3:
                offsetSize = head[9];
                eofField = 12 + 2 * offsetSize;
                end = 12 + 4 * offsetSize + 4; // base, extension, end of file, root header, checksum
                break;
            default:
                throw new DatasetFormatException(path, $"HDF5 superblock version {version} is not one this reader knows (0 to 3)");
        }
        if (offsetSize is not (2 or 4 or 8)) throw new DatasetFormatException(path, $"HDF5 superblock gives addresses of {offsetSize} bytes (2, 4 or 8 are valid)");
        if (head.Length < end) throw Truncated(path, length, "the superblock is cut off");
        if (version >= 2)
        {
            uint stored = BinaryPrimitives.ReadUInt32LittleEndian(head[(end - 4)..]);
            uint computed = JenkinsLookup3.Hash(head[..(end - 4)]);
            if (stored != computed) throw new DatasetFormatException(path, $"HDF5 superblock checksum mismatch (stored {stored:x8}, computed {computed:x8}): the file is corrupt");
        }
        ulong eof = Address(head[eofField..], offsetSize);
        if (eof != ulong.MaxValue >> (64 - 8 * offsetSize) && (ulong)at + eof > (ulong)length)
            throw Truncated(path, length, $"the superblock says it ends at byte {(ulong)at + eof}");
    }

    private static ulong Address(ReadOnlySpan<byte> bytes, int size) => size switch
    {
        2 => BinaryPrimitives.ReadUInt16LittleEndian(bytes),
        4 => BinaryPrimitives.ReadUInt32LittleEndian(bytes),
        _ => BinaryPrimitives.ReadUInt64LittleEndian(bytes),
    };

    private static DatasetFormatException Truncated(string path, long length, string what) =>
        new(path, $"truncated HDF5 file: {length} bytes, but {what}");
}
