using System.Text;

namespace LearnedSolvers.IO;

/// <summary>
/// Writes a file whole or not at all: into a temporary file in the same folder (so that the final move stays on one
/// file system and is a rename), then moved over the target. A crash or an exception leaves the old file, or none,
/// never half a file; an exception also removes the temporary file.
/// </summary>
public static class AtomicFile
{
    /// <summary>Creates or replaces <paramref name="path"/> with what <paramref name="write"/> writes to the stream it is given.</summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">Writes the whole content; the stream is flushed to disk and closed after it returns.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        WriteThrough(path, temporary =>
        {
            using var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None);
            write(stream);
            stream.Flush(flushToDisk: true);
        });
    }

    /// <summary>
    /// For writers that open the file themselves (HDF5): <paramref name="write"/> creates and fills the temporary file at the
    /// path it is given and closes it; the file then replaces <paramref name="path"/>.
    /// </summary>
    public static void WriteThrough(string path, Action<string> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string temporary = TemporaryPath(path);
        try
        {
            write(temporary);
            Commit(temporary, path);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
    }

    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte-order mark.</summary>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
            writer.Write(text);
        });
    }

    /// <summary>
    /// A fresh hidden name beside <paramref name="path"/> (".name.guid.tmp"), for a writer that commits with
    /// <see cref="Commit"/> or gives up with <see cref="Discard"/> at a time of its own choosing.
    /// </summary>
    public static string TemporaryPath(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string folder = Path.GetDirectoryName(full) ?? ".";
        return Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Moves the finished <paramref name="temporary"/> file over <paramref name="path"/>.</summary>
    public static void Commit(string temporary, string path) => File.Move(temporary, Path.GetFullPath(path), overwrite: true);

    /// <summary>Deletes <paramref name="temporary"/> if it is there; a failure to delete is swallowed, as the error that led here matters more.</summary>
    public static void Discard(string temporary)
    {
        try { File.Delete(temporary); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
