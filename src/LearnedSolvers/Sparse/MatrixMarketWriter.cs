using System.Globalization;
using System.Text;
using LearnedSolvers.IO;

namespace LearnedSolvers.Sparse;

/// <summary>
/// Writes matrices (coordinate real) and vectors (array real general, n x 1) in Matrix Market format.
/// Values are written in round-trip form, so <see cref="MatrixMarketReader"/> reads back the same bits. A file is
/// written whole or not at all (<see cref="AtomicFile"/>): a failed write leaves the old file, or none.
/// </summary>
public static class MatrixMarketWriter
{
    private const string Signature = "% written by LearnedSolvers";

    /// <summary>Writes <paramref name="a"/> to a file, replacing any file at <paramref name="path"/>.</summary>
    /// <param name="path">The file to create or overwrite.</param>
    /// <param name="a">The matrix.</param>
    /// <param name="asSymmetric">Store only the lower triangle under a "symmetric" banner; the matrix must be exactly symmetric.</param>
    /// <exception cref="ArgumentException"><paramref name="asSymmetric"/> is set and the matrix is not exactly symmetric.</exception>
    public static void WriteMatrix(string path, CsrMatrix a, bool asSymmetric = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(a);
        if (asSymmetric) RequireSymmetric(a); // before the file is created, so a refusal leaves no half-written file
        AtomicFile.Write(path, file => WriteMatrix(file, a, asSymmetric));
    }

    /// <summary>
    /// Writes <paramref name="a"/> to a stream as "coordinate real general", one "row column value" line per
    /// stored entry (1-based, row by row); explicit zeros are kept, so the sparsity pattern round-trips too.
    /// </summary>
    /// <param name="stream">Written from its current position; flushed, not closed.</param>
    /// <param name="a">The matrix.</param>
    /// <param name="asSymmetric">Store only the lower triangle under a "symmetric" banner; the matrix must be exactly symmetric.</param>
    /// <exception cref="ArgumentException"><paramref name="asSymmetric"/> is set and the matrix is not exactly symmetric.</exception>
    public static void WriteMatrix(Stream stream, CsrMatrix a, bool asSymmetric = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(a);
        if (asSymmetric) RequireSymmetric(a);

        long entries = a.NonZeros;
        if (asSymmetric)
        {
            entries = 0;
            for (int r = 0; r < a.Rows; r++)
                for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
                    if (a.ColumnIndices[k] <= r) entries++;
        }

        var output = new Utf8Output(stream);
        output.WriteLine($"%%MatrixMarket matrix coordinate real {(asSymmetric ? "symmetric" : "general")}");
        output.WriteLine(Signature);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{a.Rows} {a.Columns} {entries}"));
        for (int r = 0; r < a.Rows; r++)
        {
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
            {
                int c = a.ColumnIndices[k];
                if (asSymmetric && c > r) continue;
                output.WriteEntry(r + 1, c + 1, a.Values[k]);
            }
        }
        output.Flush();
    }

    /// <summary>Writes <paramref name="v"/> to a file, replacing any file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static void WriteVector(string path, ReadOnlySpan<double> v)
    {
        ArgumentNullException.ThrowIfNull(path);
        RequireFinite(v);
        // A span cannot enter AtomicFile.Write's lambda, and a copy would double the memory of a large vector.
        string temporary = AtomicFile.TemporaryPath(path);
        try
        {
            using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0)) // Utf8Output buffers
            {
                WriteVector(file, v);
                file.Flush(flushToDisk: true);
            }
            AtomicFile.Commit(temporary, path);
        }
        catch
        {
            AtomicFile.Discard(temporary);
            throw;
        }
    }

    /// <summary>Writes <paramref name="v"/> as "array real general" of size n x 1, one value per line.</summary>
    /// <param name="stream">Written from its current position; flushed, not closed.</param>
    /// <param name="v">The values; they must be finite, as the reader accepts nothing else.</param>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static void WriteVector(Stream stream, ReadOnlySpan<double> v)
    {
        ArgumentNullException.ThrowIfNull(stream);
        RequireFinite(v);
        var output = new Utf8Output(stream);
        output.WriteLine("%%MatrixMarket matrix array real general");
        output.WriteLine(Signature);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{v.Length} 1"));
        foreach (double x in v) output.WriteValue(x);
        output.Flush();
    }

    /// <summary>Writes <paramref name="block"/> to a file, replacing any file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static void WriteColumns(string path, DenseColumns block)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(block);
        RequireFinite(block.Values);
        AtomicFile.Write(path, file => WriteColumns(file, block));
    }

    /// <summary>Writes <paramref name="block"/> as "array real general" of size rows x columns, column-major, one value per line.</summary>
    /// <exception cref="ArgumentException">A value is NaN or infinite.</exception>
    public static void WriteColumns(Stream stream, DenseColumns block)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(block);
        RequireFinite(block.Values);
        var output = new Utf8Output(stream);
        output.WriteLine("%%MatrixMarket matrix array real general");
        output.WriteLine(Signature);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{block.Rows} {block.Columns}"));
        foreach (double x in block.Values) output.WriteValue(x);
        output.Flush();
    }

    private static void RequireSymmetric(CsrMatrix a)
    {
        if (!a.IsSymmetric())
            throw new ArgumentException(
                $"The {a.Rows} x {a.Columns} matrix is not exactly symmetric, so its lower triangle does not describe it; write it with asSymmetric: false.",
                nameof(a));
    }

    private static void RequireFinite(ReadOnlySpan<double> v)
    {
        int bad = v.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (bad >= 0)
            throw new ArgumentException($"v[{bad}] is {v[bad]}; Matrix Market files hold finite values only.", nameof(v));
    }

    /// <summary>Formats straight into a 1 MiB byte buffer: no string per entry.</summary>
    private sealed class Utf8Output(Stream stream)
    {
        // Longest line: two 10-digit indices and a 24-character value, with separators.
        private const int MaxEntryLength = 64;

        private readonly byte[] _buffer = new byte[1 << 20];
        private int _length;

        public void WriteLine(string text)
        {
            int bytes = Encoding.UTF8.GetByteCount(text) + 1;
            if (_length + bytes > _buffer.Length) Flush();
            if (bytes > _buffer.Length)
            {
                stream.Write(Encoding.UTF8.GetBytes(text + "\n"));
                return;
            }
            _length += Encoding.UTF8.GetBytes(text, _buffer.AsSpan(_length));
            _buffer[_length++] = (byte)'\n';
        }

        public void WriteEntry(int row, int column, double value)
        {
            if (_length + MaxEntryLength > _buffer.Length) Flush();
            Append(row);
            _buffer[_length++] = (byte)' ';
            Append(column);
            _buffer[_length++] = (byte)' ';
            Append(value);
            _buffer[_length++] = (byte)'\n';
        }

        public void WriteValue(double value)
        {
            if (_length + MaxEntryLength > _buffer.Length) Flush();
            Append(value);
            _buffer[_length++] = (byte)'\n';
        }

        private void Append(int value)
        {
            value.TryFormat(_buffer.AsSpan(_length), out int written, default, CultureInfo.InvariantCulture);
            _length += written;
        }

        // "R" is the shortest text that parses back to the same double (at most 17 significant digits),
        // so a write-read round trip is exact to the bit, -0 included.
        private void Append(double value)
        {
            value.TryFormat(_buffer.AsSpan(_length), out int written, "R", CultureInfo.InvariantCulture);
            _length += written;
        }

        public void Flush()
        {
            stream.Write(_buffer, 0, _length);
            _length = 0;
            stream.Flush();
        }
    }
}
