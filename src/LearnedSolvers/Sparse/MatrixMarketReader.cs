using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;

namespace LearnedSolvers.Sparse;

/// <summary>
/// Reads Matrix Market files (https://math.nist.gov/MatrixMarket/formats.html): real, integer and pattern
/// matrices in coordinate format, with general, symmetric or skew-symmetric storage, and dense vectors.
/// Every problem with the file's contents raises <see cref="MatrixMarketException"/> naming the file and line.
/// </summary>
/// <remarks>
/// The text is scanned as UTF-8 bytes in 1 MiB blocks, indices are parsed by hand and values with the UTF-8
/// double parser, straight into triplet arrays sized from the header; the CSR matrix is built once at the end.
/// A string per line (ReadLine, Split) would cost several allocations per entry, which on files of tens of
/// millions of entries is the difference between seconds and minutes.
/// </remarks>
public static class MatrixMarketReader
{
    /// <summary>Reads a sparse matrix from a coordinate-format file; symmetric storage is expanded to the full matrix.</summary>
    /// <exception cref="MatrixMarketException">The file is not a valid real, integer or pattern coordinate matrix.</exception>
    public static CsrMatrix ReadMatrix(string path) => ReadMatrix(path, acceptBothTriangles: false);

    /// <summary>Reads a sparse matrix from a coordinate-format file (see <see cref="ReadMatrix(Stream, string, bool)"/>).</summary>
    /// <exception cref="MatrixMarketException">The file is not a valid real, integer or pattern coordinate matrix.</exception>
    public static CsrMatrix ReadMatrix(string path, bool acceptBothTriangles)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = OpenRead(path);
        return ReadMatrix(stream, path, acceptBothTriangles);
    }

    /// <summary>
    /// Reads a sparse matrix from a coordinate-format stream: pattern entries become 1, duplicate entries are
    /// summed, symmetric storage is mirrored and skew-symmetric storage mirrored with the sign flipped.
    /// </summary>
    /// <param name="stream">Read from its current position to the end; not closed.</param>
    /// <param name="fileName">Names the source in error messages.</param>
    /// <param name="acceptBothTriangles">
    /// Symmetric storage holds one triangle; a symmetric or skew-symmetric file with entries on both sides of the
    /// diagonal is refused unless this is set, and then every entry is mirrored, as SciPy's and Julia's readers do
    /// (an entry stored in both triangles is counted twice).
    /// </param>
    /// <exception cref="MatrixMarketException">The data is not a valid real, integer or pattern coordinate matrix.</exception>
    public static CsrMatrix ReadMatrix(Stream stream, string fileName = "<stream>", bool acceptBothTriangles = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        var lines = new LineReader(stream, fileName);
        var header = ReadHeader(lines);
        RejectComplex(header, fileName);
        if (header.Format == MatrixMarketFormat.Array)
            throw new MatrixMarketException(fileName, 1,
                "the file is in array (dense) format, which holds vectors here; read it with MatrixMarketReader.ReadVector, or store the matrix in coordinate format");
        // The row pointers cost 4 (rows + 1) bytes whatever the file holds, and building them about three times that:
        // refuse a declared size no array or no machine can back before reading the data.
        if (header.Rows > Array.MaxLength - 1)
            throw new MatrixMarketException(fileName, lines.SizeLine,
                $"rows {header.Rows} exceeds {Array.MaxLength - 1}, the most a CsrMatrix can hold (its row pointers need rows + 1 entries)");
        double rowBytes = 12.0 * (header.Rows + 1.0);
        if (!MemoryBudget.Fits(rowBytes))
            throw new MatrixMarketException(fileName, lines.SizeLine, $"a matrix of {header.Rows} rows {MemoryBudget.Shortfall(rowBytes)} for its row pointers alone");

        var t = ReadCoordinateEntries(lines, header, acceptBothTriangles);
        try
        {
            return CsrMatrix.FromTriplets(header.Rows, header.Columns, t.Rows.AsSpan(0, t.Count), t.Columns.AsSpan(0, t.Count), t.Values.AsSpan(0, t.Count));
        }
        catch (InvalidMatrixException e)
        {
            // Every entry was checked finite, so duplicates summed past double range: no single line is to blame.
            throw new MatrixMarketException(fileName, 0, DescribeOverflowingSum(t) ?? e.Message, e);
        }
    }

    /// <summary>
    /// Rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>) of a coordinate
    /// file's matrix, as a rowCount × columns matrix with the file's column numbers: what one MPI rank owns. Every
    /// line is parsed and checked as <see cref="ReadMatrix(Stream, string, bool)"/> checks it (so every rank reports
    /// the same malformed line), but only entries in the range are kept, so memory follows the rows read, not the file.
    /// Symmetric storage contributes an entry to a row in the range from either triangle.
    /// </summary>
    /// <param name="path">The Matrix Market file.</param>
    /// <param name="firstRow">The first row to keep (0-based).</param>
    /// <param name="rowCount">How many rows to keep.</param>
    /// <param name="acceptBothTriangles">As for <see cref="ReadMatrix(Stream, string, bool)"/>.</param>
    /// <exception cref="MatrixMarketException">The file is not a valid real, integer or pattern coordinate matrix.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the file's rows.</exception>
    public static CsrMatrix ReadRows(string path, int firstRow, int rowCount, bool acceptBothTriangles = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        using var stream = OpenRead(path);
        var lines = new LineReader(stream, path);
        var header = ReadHeader(lines);
        RejectComplex(header, path);
        if (header.Format == MatrixMarketFormat.Array)
            throw new MatrixMarketException(path, 1, "the file is in array (dense) format, which holds vectors here; store the matrix in coordinate format");
        if ((long)firstRow + rowCount > header.Rows)
            throw new ArgumentOutOfRangeException(nameof(rowCount), rowCount, $"Rows {firstRow}..{(long)firstRow + rowCount - 1} do not lie within the file's {header.Rows} rows.");
        var t = ReadCoordinateEntries(lines, header, acceptBothTriangles, (firstRow, rowCount));
        for (int k = 0; k < t.Count; k++) t.Rows[k] -= firstRow;
        try
        {
            return CsrMatrix.FromTriplets(rowCount, header.Columns, t.Rows.AsSpan(0, t.Count), t.Columns.AsSpan(0, t.Count), t.Values.AsSpan(0, t.Count));
        }
        catch (InvalidMatrixException e)
        {
            throw new MatrixMarketException(path, 0, DescribeOverflowingSum(t) ?? e.Message, e);
        }
    }

    /// <summary>Names the first (row, column), 1-based, whose duplicate entries sum to a non-finite value.</summary>
    private static string? DescribeOverflowingSum(Triplets t)
    {
        var sums = new Dictionary<(int, int), double>();
        for (int k = 0; k < t.Count; k++)
        {
            var key = (t.Rows[k], t.Columns[k]);
            double sum = sums.GetValueOrDefault(key) + t.Values[k];
            if (!double.IsFinite(sum))
                return $"the duplicate entries at ({key.Item1 + 1}, {key.Item2 + 1}) sum to {Show(sum)}, beyond the range of double";
            sums[key] = sum;
        }
        return null;
    }

    /// <summary>Reads a vector from a file (see <see cref="ReadVector(Stream, string)"/>).</summary>
    /// <exception cref="MatrixMarketException">The file does not hold a real or integer vector.</exception>
    public static double[] ReadVector(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = OpenRead(path);
        return ReadVector(stream, path);
    }

    /// <summary>
    /// Reads a vector: an "array real general" (or integer) file of size n x 1 or 1 x n, or a coordinate
    /// file of that shape, where entries not stored are zero and duplicates are summed.
    /// </summary>
    /// <param name="stream">Read from its current position to the end; not closed.</param>
    /// <param name="fileName">Names the source in error messages.</param>
    /// <exception cref="MatrixMarketException">The data does not hold a real or integer vector.</exception>
    public static double[] ReadVector(Stream stream, string fileName = "<stream>") => ReadDense(stream, fileName, vector: true).Values;

    /// <summary>Reads a dense block from a file (see <see cref="ReadColumns(Stream, string)"/>).</summary>
    /// <exception cref="MatrixMarketException">The file does not hold a real or integer general matrix.</exception>
    public static DenseColumns ReadColumns(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = OpenRead(path);
        return ReadColumns(stream, path);
    }

    /// <summary>
    /// Reads an n × k block (several right-hand sides): an "array real general" (or integer) file, whose column-major
    /// values are the block's layout, or a coordinate file, where entries not stored are zero and duplicates are summed.
    /// A vector file gives one column (an 1 × n file too).
    /// </summary>
    /// <param name="stream">Read from its current position to the end; not closed.</param>
    /// <param name="fileName">Names the source in error messages.</param>
    /// <exception cref="MatrixMarketException">The data does not hold a real or integer general matrix, or is too large for one array.</exception>
    public static DenseColumns ReadColumns(Stream stream, string fileName = "<stream>") => ReadDense(stream, fileName, vector: false);

    /// <summary>
    /// The dense values of an array or coordinate file, column-major; a 1 × n file gives one column. With
    /// <paramref name="vector"/>, the file must be n × 1 or 1 × n.
    /// </summary>
    private static DenseColumns ReadDense(Stream stream, string fileName, bool vector)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        string holds = vector ? "a vector" : "right-hand sides";
        var lines = new LineReader(stream, fileName);
        var header = ReadHeader(lines);
        RejectComplex(header, fileName);
        if (header.Field == MatrixMarketField.Pattern)
            throw new MatrixMarketException(fileName, 1, $"a pattern file has no values, so it cannot hold {holds}");
        if (header.Symmetry != MatrixMarketSymmetry.General)
            throw new MatrixMarketException(fileName, 1,
                $"{(vector ? "a vector file" : "a file of right-hand sides")} must be general, not {MatrixMarketHeader.SymmetryName(header.Symmetry)}");
        if (vector && header.Rows != 1 && header.Columns != 1)
            throw new MatrixMarketException(fileName, lines.SizeLine,
                $"the size {header.Rows} x {header.Columns} is not a vector; a vector is n x 1 or 1 x n");

        bool row = header.Rows == 1;
        int n = row ? header.Columns : header.Rows, k = row ? 1 : header.Columns;
        long count = (long)n * k;
        if (count > Array.MaxLength)
            throw new MatrixMarketException(fileName, lines.SizeLine, vector
                ? $"a vector of {n} values exceeds {Array.MaxLength}, the most a .NET array can hold"
                : $"a block of {header.Rows} x {header.Columns} = {count} values exceeds {Array.MaxLength}, the most a .NET array can hold");
        if (header.Format == MatrixMarketFormat.Array) return new DenseColumns(n, k, ReadArrayValues(lines, header, (int)count));
        // Entries not stored are zeros, so a coordinate file of a few bytes can declare a block of gigabytes.
        if (!MemoryBudget.Fits(8.0 * count))
            throw new MatrixMarketException(fileName, lines.SizeLine, $"a block of {header.Rows} x {header.Columns} values {MemoryBudget.Shortfall(8.0 * count)}");

        var t = ReadCoordinateEntries(lines, header);
        var v = new double[count];
        for (int e = 0; e < t.Count; e++) v[row ? t.Columns[e] : (long)t.Columns[e] * n + t.Rows[e]] += t.Values[e];
        int bad = v.AsSpan().IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (bad >= 0)
            throw new MatrixMarketException(fileName, 0, vector
                ? $"summing duplicate entries at index {bad + 1} gives {v[bad]}; values must be finite"
                : $"summing duplicate entries at ({bad % n + 1}, {bad / n + 1}) gives {v[bad]}; values must be finite");
        return new DenseColumns(n, k, v);
    }

    /// <summary>Reads only the banner and size line of a file, e.g. to describe it before loading.</summary>
    /// <exception cref="MatrixMarketException">The banner or size line is missing or malformed.</exception>
    public static MatrixMarketHeader ReadHeader(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = OpenRead(path);
        return ReadHeader(stream, path);
    }

    /// <summary>
    /// Reads only the banner and size line. Complex and hermitian files are described, though
    /// <see cref="ReadMatrix(Stream, string, bool)"/> cannot load them.
    /// </summary>
    /// <exception cref="MatrixMarketException">The banner or size line is missing or malformed.</exception>
    public static MatrixMarketHeader ReadHeader(Stream stream, string fileName = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(fileName);
        return ReadHeader(new LineReader(stream, fileName));
    }

    // Unbuffered: LineReader does its own 1 MiB buffering, and a second layer would only copy the bytes again.
    private static FileStream OpenRead(string path)
    {
        // Opening a directory fails with "access denied", which sends the user after permissions.
        if (Directory.Exists(path)) throw new MatrixMarketException(path, 0, "is a directory, not a Matrix Market file");
        return new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0, FileOptions.SequentialScan);
    }

    private static void RejectComplex(MatrixMarketHeader header, string fileName)
    {
        if (header.Field == MatrixMarketField.Complex || header.Symmetry == MatrixMarketSymmetry.Hermitian)
            throw new MatrixMarketException(fileName, 1, "complex matrices are not supported (the banner says "
                + $"{MatrixMarketHeader.FieldName(header.Field)} {MatrixMarketHeader.SymmetryName(header.Symmetry)})");
    }

    private static MatrixMarketHeader ReadHeader(LineReader lines)
    {
        if (!lines.TryReadLine(out var banner))
            throw lines.Error(1, "the file is empty; a Matrix Market file starts with a %%MatrixMarket banner line");
        if (banner.StartsWith("\uFEFF"u8)) banner = banner[3..]; // a UTF-8 byte order mark left by some editors

        int pos = 0;
        var words = new List<string>(5);
        for (var w = NextToken(banner, ref pos); !w.IsEmpty; w = NextToken(banner, ref pos))
            words.Add(Encoding.UTF8.GetString(w));
        if (words.Count == 0 || !words[0].Equals("%%MatrixMarket", StringComparison.OrdinalIgnoreCase))
            throw lines.Error(1, $"missing %%MatrixMarket banner: the first line is '{Show(banner)}'");
        if (words.Count != 5)
            throw lines.Error(1, $"the banner has {words.Count} words; expected '%%MatrixMarket matrix <format> <field> <symmetry>'");
        if (!words[1].Equals("matrix", StringComparison.OrdinalIgnoreCase))
            throw lines.Error(1, $"unknown object '{words[1]}'; only 'matrix' is supported");

        var format = words[2].ToLowerInvariant() switch
        {
            "coordinate" => MatrixMarketFormat.Coordinate,
            "array" => MatrixMarketFormat.Array,
            _ => throw lines.Error(1, $"unknown format '{words[2]}'; expected coordinate or array"),
        };
        var field = words[3].ToLowerInvariant() switch
        {
            "real" or "double" => MatrixMarketField.Real, // "double" is written by some tools for real
            "integer" => MatrixMarketField.Integer,
            "pattern" => MatrixMarketField.Pattern,
            "complex" => MatrixMarketField.Complex,
            _ => throw lines.Error(1, $"unknown field '{words[3]}'; expected real, integer, pattern or complex"),
        };
        var symmetry = words[4].ToLowerInvariant() switch
        {
            "general" => MatrixMarketSymmetry.General,
            "symmetric" => MatrixMarketSymmetry.Symmetric,
            "skew-symmetric" => MatrixMarketSymmetry.SkewSymmetric,
            "hermitian" => MatrixMarketSymmetry.Hermitian,
            _ => throw lines.Error(1, $"unknown symmetry '{words[4]}'; expected general, symmetric, skew-symmetric or hermitian"),
        };
        if (field == MatrixMarketField.Pattern && format == MatrixMarketFormat.Array)
            throw lines.Error(1, "a pattern file has no values, so it cannot be in array format");
        if (field == MatrixMarketField.Pattern && symmetry == MatrixMarketSymmetry.SkewSymmetric)
            throw lines.Error(1, "a pattern file cannot be skew-symmetric: it has no values to negate");

        ReadOnlySpan<byte> sizeLine;
        while (true)
        {
            if (!lines.TryReadLine(out sizeLine))
                throw lines.Error(Math.Max(lines.LineNumber, 1), "the file ends before the size line (rows columns"
                    + (format == MatrixMarketFormat.Coordinate ? " entries)" : ")"));
            pos = 0;
            SkipSpace(sizeLine, ref pos);
            if (pos < sizeLine.Length && sizeLine[pos] != (byte)'%') break;
        }
        lines.SizeLine = lines.LineNumber;

        bool coordinate = format == MatrixMarketFormat.Coordinate;
        string expected = coordinate ? "3 numbers (rows columns entries)" : "2 numbers (rows columns)";
        ReadOnlySpan<string> names = ["rows", "columns", "entries"];
        Span<long> size = stackalloc long[3];
        int count = coordinate ? 3 : 2;
        pos = 0;
        for (int i = 0; i < count; i++)
        {
            var token = NextToken(sizeLine, ref pos);
            if (token.IsEmpty)
                throw lines.Error($"the size line has {i} number{(i == 1 ? "" : "s")}; a {MatrixMarketHeader.FormatName(format)} file needs {expected}");
            if (!TryParseWhole(token, out size[i]))
                throw lines.Error($"the size line's {names[i]} '{Show(token)}' is not a whole number; expected {expected}");
            if (size[i] < 0)
                throw lines.Error($"the size line's {names[i]} {Show(token)} is negative");
            // The token, not the parsed value: a 23-digit size saturates, and the saturated number is not what the file says.
            if (i < 2 && size[i] > int.MaxValue)
                throw lines.Error($"{names[i]} {Show(token)} exceeds {int.MaxValue}, the largest size 32-bit indices can address");
            if (i == 2 && coordinate && size[i] > Array.MaxLength)
                throw lines.Error($"entries {Show(token)} exceeds {Array.MaxLength}, the most a .NET array (and so a CsrMatrix) can hold");
        }
        var extra = NextToken(sizeLine, ref pos);
        if (!extra.IsEmpty)
            throw lines.Error($"the size line has an extra token '{Show(extra)}'; a {MatrixMarketHeader.FormatName(format)} file needs {expected}");
        int rows = (int)size[0], columns = (int)size[1];
        if (symmetry != MatrixMarketSymmetry.General && rows != columns)
            throw lines.Error($"a {MatrixMarketHeader.SymmetryName(symmetry)} matrix must be square, but the size is {rows} x {columns}");

        long entries;
        if (coordinate)
        {
            entries = size[2];
        }
        else
        {
            long n = rows;
            entries = symmetry switch
            {
                MatrixMarketSymmetry.General => n * columns,
                MatrixMarketSymmetry.SkewSymmetric => n * (n - 1) / 2,
                _ => n * (n + 1) / 2,
            };
            if (entries > Array.MaxLength)
                throw lines.Error($"{rows} x {columns} = {entries} values exceeds {Array.MaxLength}, the most a .NET array can hold");
        }
        return new MatrixMarketHeader(format, field, symmetry, rows, columns, entries);
    }

    /// <summary>Stored entries as 0-based triplets, already expanded for symmetric storage.</summary>
    private sealed class Triplets(int capacity)
    {
        public int[] Rows = new int[capacity];
        public int[] Columns = new int[capacity];
        public double[] Values = new double[capacity];
        public int Count;

        public void Grow(int capacity)
        {
            Array.Resize(ref Rows, capacity);
            Array.Resize(ref Columns, capacity);
            Array.Resize(ref Values, capacity);
        }
    }

    /// <summary>The entries of a coordinate file; with <paramref name="keep"/>, only those in its rows (global numbering).</summary>
    private static Triplets ReadCoordinateEntries(LineReader lines, MatrixMarketHeader header, bool acceptBothTriangles = true,
        (int First, int Count)? keep = null)
    {
        int keepFirst = keep?.First ?? 0, keepEnd = keep is { } range ? range.First + range.Count : int.MaxValue;
        bool mirror = header.Symmetry != MatrixMarketSymmetry.General;
        bool negate = header.Symmetry == MatrixMarketSymmetry.SkewSymmetric;
        var field = header.Field;
        int rows = header.Rows, columns = header.Columns;
        long declared = header.Entries;
        long limit = Math.Min(mirror ? 2 * declared : declared, Array.MaxLength);
        int capacity = InitialCapacity(lines, limit, mirror ? 2 : 1);
        // A row range keeps about its share of the entries; the arrays grow if the rows hold more.
        if (keep is { } share && rows > 0) capacity = (int)Math.Min(capacity, (long)capacity * share.Count / rows + 16);
        var t = new Triplets(capacity);
        long lastDataLine = lines.SizeLine;
        long firstUpper = 0, firstLower = 0; // lines of the first entry above and below the diagonal, for symmetric storage

        for (long k = 0; k < declared; k++)
        {
            ReadOnlySpan<byte> line;
            int pos;
            while (true)
            {
                if (!lines.TryReadLine(out line))
                    throw lines.Error(lastDataLine, $"the data ends after {k} of the {declared} entries the size line declares; the file looks truncated");
                pos = 0;
                SkipSpace(line, ref pos);
                if (pos < line.Length && line[pos] != (byte)'%') break; // blank and comment lines may sit between entries
            }
            lastDataLine = lines.LineNumber;

            long r = ParseIndex(lines, line, ref pos, "row", rows);
            long c = ParseIndex(lines, line, ref pos, "column", columns);
            double v = field == MatrixMarketField.Pattern ? 1.0 : ParseValue(lines, line, ref pos, field, "after the column index");
            CheckLineEnd(lines, line, ref pos);

            int i = (int)r - 1, j = (int)c - 1;
            bool mirrored = mirror && i != j;
            if (negate && i == j && v != 0)
                throw lines.Error($"a skew-symmetric matrix has a zero diagonal, but entry ({r}, {c}) is {Show(v)}");
            if (mirrored && !acceptBothTriangles)
            {
                if (i < j && firstUpper == 0) firstUpper = lines.LineNumber;
                if (i > j && firstLower == 0) firstLower = lines.LineNumber;
                if (firstUpper > 0 && firstLower > 0)
                    throw lines.Error($"the banner says {MatrixMarketHeader.SymmetryName(header.Symmetry)}, but entries lie in both triangles "
                        + $"(above the diagonal on line {firstUpper}, below it on line {firstLower}); symmetric storage holds one triangle, "
                        + "so mirroring both would count those entries twice: keep one triangle, declare the file general, or accept both triangles");
            }
            bool keepEntry = i >= keepFirst && i < keepEnd, keepMirror = mirrored && j >= keepFirst && j < keepEnd;
            int need = (keepEntry ? 1 : 0) + (keepMirror ? 1 : 0);
            if (need == 0) continue;
            if (t.Count + need > t.Rows.Length)
            {
                if (t.Count + need > limit)
                    throw lines.Error($"the matrix has more than {Array.MaxLength} entries once symmetric storage is expanded, more than a .NET array can hold");
                t.Grow((int)Math.Min(Math.Max(2L * t.Rows.Length, 16), limit));
            }
            if (keepEntry)
            {
                t.Rows[t.Count] = i;
                t.Columns[t.Count] = j;
                t.Values[t.Count] = v;
                t.Count++;
            }
            if (keepMirror)
            {
                // Either triangle is mirrored, as SciPy's and Julia's readers do, though the format asks for the lower one.
                t.Rows[t.Count] = j;
                t.Columns[t.Count] = i;
                t.Values[t.Count] = negate ? -v : v;
                t.Count++;
            }
        }
        CheckNoMoreData(lines, declared, "entries");
        return t;
    }

    /// <summary>
    /// Room for the declared entries, but never more than the bytes left could hold (an entry takes at least
    /// "1 1\n"), so a corrupt header declaring billions of entries cannot exhaust memory before the data
    /// shows it is wrong; the arrays grow if the estimate falls short.
    /// </summary>
    private static int InitialCapacity(LineReader lines, long limit, int perEntry)
    {
        long bytes = lines.BytesRemaining;
        long fit = bytes >= 0 ? (bytes / 4 + 1) * perEntry : 1 << 16;
        return (int)Math.Min(limit, fit);
    }

    private static double[] ReadArrayValues(LineReader lines, MatrixMarketHeader header, int n)
    {
        var values = new double[InitialCapacity(lines, n, 1)];
        int count = 0;
        long lastDataLine = lines.SizeLine;
        // Column-major values, usually one per line; several per line are accepted, as NumPy-style writers produce them.
        while (count < n)
        {
            if (!lines.TryReadLine(out var line))
                throw lines.Error(lastDataLine, $"the data ends after {count} of the {n} values the size line declares; the file looks truncated");
            int pos = 0;
            SkipSpace(line, ref pos);
            if (pos == line.Length || line[pos] == (byte)'%') continue;
            lastDataLine = lines.LineNumber;
            while (pos < line.Length && count < n)
            {
                if (count == values.Length) Array.Resize(ref values, (int)Math.Min(Math.Max(2L * values.Length, 16), n));
                values[count++] = ParseValue(lines, line, ref pos, header.Field, "");
                SkipSpace(line, ref pos);
                if (pos < line.Length && line[pos] == (byte)'%') pos = line.Length;
            }
            if (pos < line.Length)
                throw lines.Error($"more values than the {n} the size line declares");
        }
        CheckNoMoreData(lines, n, "values");
        return values;
    }

    private static void CheckNoMoreData(LineReader lines, long declared, string what)
    {
        while (lines.TryReadLine(out var line))
        {
            int pos = 0;
            SkipSpace(line, ref pos);
            if (pos < line.Length && line[pos] != (byte)'%')
                throw lines.Error($"more {what} than the {declared} the size line declares");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long ParseIndex(LineReader lines, ReadOnlySpan<byte> line, ref int pos, string name, int size)
    {
        SkipSpace(line, ref pos);
        int start = pos;
        long value = 0;
        // Fast path for plain digits, the whole of any well-formed file; anything else goes to the careful parser.
        while (pos < line.Length)
        {
            uint d = (uint)(line[pos] - (byte)'0');
            if (d > 9) break;
            value = value * 10 + d;
            pos++;
        }
        if (pos == start || pos - start > 18 || (pos < line.Length && !IsSpace(line[pos])))
        {
            pos = start;
            var token = NextToken(line, ref pos);
            if (token.IsEmpty) throw lines.Error($"missing {name} index");
            if (!TryParseWhole(token, out value))
                throw lines.Error($"{name} index '{Show(token)}' is not a whole number");
        }
        if (value < 1 || value > size)
        {
            // The token as written: one of 20 digits or more has saturated, and the saturated number is not in the file.
            int end = start;
            var written = NextToken(line, ref end);
            throw lines.Error(size == 0
                ? $"{name} index {Show(written)} is out of range: the matrix has no {name}s"
                : $"{name} index {Show(written)} is outside 1..{size} (Matrix Market indices are 1-based)");
        }
        return value;
    }

    private static double ParseValue(LineReader lines, ReadOnlySpan<byte> line, ref int pos, MatrixMarketField field, string where)
    {
        var token = NextToken(line, ref pos);
        if (token.IsEmpty)
            throw lines.Error($"missing value{(where.Length > 0 ? " " + where : "")} (the field is {MatrixMarketHeader.FieldName(field)})");
        if (field == MatrixMarketField.Integer && !TryParseWhole(token, out _))
            throw lines.Error($"value '{Show(token)}' is not an integer (the field is integer)");
        // Integers too go through the double parser: it rounds those beyond 2^53 correctly, and any length parses.
        if (!double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double v))
            throw lines.Error($"value '{Show(token)}' is not a number");
        if (!double.IsFinite(v))
            throw lines.Error($"value '{Show(token)}' is not finite; Matrix Market values must be finite numbers");
        return v;
    }

    private static void CheckLineEnd(LineReader lines, ReadOnlySpan<byte> line, ref int pos)
    {
        SkipSpace(line, ref pos);
        if (pos < line.Length && line[pos] != (byte)'%') // a trailing % comment is tolerated
        {
            var token = NextToken(line, ref pos);
            throw lines.Error($"unexpected extra token '{Show(token)}' after the entry");
        }
    }

    /// <summary>
    /// Parses an optionally signed run of decimal digits; a magnitude beyond long saturates to long.MinValue or
    /// long.MaxValue, so that the caller reports it as out of range rather than as not a number.
    /// </summary>
    private static bool TryParseWhole(ReadOnlySpan<byte> token, out long value)
    {
        value = 0;
        bool negative = token.Length > 0 && token[0] == (byte)'-';
        if (token.Length > 0 && (token[0] == (byte)'-' || token[0] == (byte)'+')) token = token[1..];
        if (token.IsEmpty) return false;
        ulong magnitude = 0;
        foreach (byte b in token)
        {
            uint d = (uint)(b - (byte)'0');
            if (d > 9) return false;
            magnitude = magnitude > (ulong.MaxValue - 9) / 10 ? ulong.MaxValue : magnitude * 10 + d;
        }
        if (negative) value = magnitude > long.MaxValue ? long.MinValue : -(long)magnitude;
        else value = magnitude > long.MaxValue ? long.MaxValue : (long)magnitude;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\v' or (byte)'\f';

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SkipSpace(ReadOnlySpan<byte> line, ref int pos)
    {
        while (pos < line.Length && IsSpace(line[pos])) pos++;
    }

    private static ReadOnlySpan<byte> NextToken(ReadOnlySpan<byte> line, ref int pos)
    {
        SkipSpace(line, ref pos);
        int start = pos;
        while (pos < line.Length && !IsSpace(line[pos])) pos++;
        return line[start..pos];
    }

    /// <summary>A token or line for an error message: at most 40 characters, control characters shown as '?'.</summary>
    private static string Show(ReadOnlySpan<byte> text)
    {
        bool cut = text.Length > 40;
        var s = Encoding.UTF8.GetString(cut ? text[..40] : text).TrimEnd('\r');
        var chars = s.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
            if (char.IsControl(chars[i])) chars[i] = '?';
        return new string(chars) + (cut ? "..." : "");
    }

    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>
    /// Splits a stream into lines ('\n' ends a line; a '\r' before it is whitespace to the parsers) over one
    /// reusable buffer, counting lines for error messages. A returned line is valid until the next call.
    /// </summary>
    private sealed class LineReader(Stream stream, string fileName)
    {
        private const int BlockSize = 1 << 20;

        // Far beyond any real Matrix Market line; stops a binary file without newlines from filling memory.
        private const int MaxLineLength = 64 << 20;

        private byte[] _buffer = new byte[BlockSize];
        private int _start;
        private int _end;
        private int _scanned; // bytes after _start already known to hold no '\n'
        private bool _endOfStream;

        /// <summary>The 1-based number of the line last returned (0 before the first).</summary>
        public long LineNumber { get; private set; }

        /// <summary>The line number of the size line, once the header has been read.</summary>
        public long SizeLine { get; set; }

        /// <summary>Bytes not yet returned as lines, or -1 when the stream cannot tell.</summary>
        public long BytesRemaining
        {
            get
            {
                if (!stream.CanSeek) return -1;
                try
                {
                    return Math.Max(0, stream.Length - stream.Position) + (_end - _start);
                }
                catch (NotSupportedException)
                {
                    return -1;
                }
            }
        }

        public bool TryReadLine(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                int from = _start + _scanned;
                int newline = _buffer.AsSpan(from, _end - from).IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    int stop = from + newline;
                    line = _buffer.AsSpan(_start, stop - _start);
                    _start = stop + 1;
                    _scanned = 0;
                    LineNumber++;
                    return true;
                }
                _scanned = _end - _start;
                if (_endOfStream)
                {
                    if (_start == _end)
                    {
                        line = default;
                        return false;
                    }
                    line = _buffer.AsSpan(_start, _end - _start); // a last line without a newline
                    _start = _end;
                    _scanned = 0;
                    LineNumber++;
                    return true;
                }
                Fill();
            }
        }

        private void Fill()
        {
            int pending = _end - _start;
            if (_start > 0)
            {
                _buffer.AsSpan(_start, pending).CopyTo(_buffer);
                _start = 0;
                _end = pending;
            }
            if (_end == _buffer.Length)
            {
                if (_buffer.Length >= MaxLineLength)
                    throw Error(LineNumber + 1, $"the line is longer than {MaxLineLength} bytes; this does not look like a Matrix Market text file");
                Array.Resize(ref _buffer, _buffer.Length * 2);
            }
            int read = stream.Read(_buffer, _end, _buffer.Length - _end);
            if (read == 0) _endOfStream = true;
            else _end += read;
        }

        public MatrixMarketException Error(string detail) => Error(LineNumber, detail);

        public MatrixMarketException Error(long line, string detail) => new(fileName, line, detail);
    }
}
