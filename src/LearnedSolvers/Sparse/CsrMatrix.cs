using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;

namespace LearnedSolvers.Sparse;

/// <summary>
/// A sparse matrix in compressed sparse row form: double values, 32-bit indices, columns sorted and unique
/// within each row. The arrays are shared, not copied; treat them as read-only once the matrix is built.
/// </summary>
public sealed class CsrMatrix
{
    /// <summary>Wraps CSR arrays after checking every structural rule (see <see cref="Validate"/>).</summary>
    public CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values)
        : this(rows, columns, rowPointers, columnIndices, values, validate: true)
    {
    }

    private CsrMatrix(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values, bool validate)
    {
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        Rows = rows;
        Columns = columns;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
        if (validate) Validate();
    }

    /// <summary>Wraps arrays that library code built correctly by construction (sorted, in range); skips the O(nnz) check.</summary>
    internal static CsrMatrix Trusted(int rows, int columns, int[] rowPointers, int[] columnIndices, double[] values) =>
        new(rows, columns, rowPointers, columnIndices, values, validate: false);

    public int Rows { get; }
    public int Columns { get; }
    public int[] RowPointers { get; }
    public int[] ColumnIndices { get; }
    public double[] Values { get; }

    /// <summary>Number of stored entries.</summary>
    public int NonZeros => RowPointers[Rows];

    public bool IsSquare => Rows == Columns;

    /// <summary>Builds from triplets in any order: duplicates summed, columns sorted within each row.</summary>
    public static CsrMatrix FromTriplets(int rows, int columns, ReadOnlySpan<int> rowIndices, ReadOnlySpan<int> columnIndices, ReadOnlySpan<double> values)
    {
        if (rows < 0 || columns < 0) throw new InvalidMatrixException($"Matrix size {rows} x {columns} is negative.");
        if (rows > Array.MaxLength - 1)
            throw new InvalidMatrixException($"Matrix has {rows} rows; its row pointers need rows + 1 entries, more than the {Array.MaxLength} an array can hold.");
        if (rowIndices.Length != columnIndices.Length || rowIndices.Length != values.Length)
            throw new InvalidMatrixException($"Triplet arrays differ in length: {rowIndices.Length} rows, {columnIndices.Length} columns, {values.Length} values.");
        int count = rowIndices.Length;
        var rowCounts = new int[rows + 1];
        for (int k = 0; k < count; k++)
        {
            int r = rowIndices[k], c = columnIndices[k];
            if ((uint)r >= (uint)rows) throw new InvalidMatrixException($"Triplet {k}: row index {r} is outside 0..{rows - 1}.");
            if ((uint)c >= (uint)columns) throw new InvalidMatrixException($"Triplet {k}: column index {c} is outside 0..{columns - 1}.");
            rowCounts[r + 1]++;
        }
        for (int r = 0; r < rows; r++) rowCounts[r + 1] += rowCounts[r];

        // Counting sort by row, then sort each row by column and sum duplicates in place.
        var cols = new int[count];
        var vals = new double[count];
        var next = rowCounts.AsSpan(0, rows).ToArray();
        for (int k = 0; k < count; k++)
        {
            int slot = next[rowIndices[k]]++;
            cols[slot] = columnIndices[k];
            vals[slot] = values[k];
        }

        var rowPointers = new int[rows + 1];
        int write = 0;
        for (int r = 0; r < rows; r++)
        {
            int start = rowCounts[r], end = rowCounts[r + 1];
            if (!IsSorted(cols, start, end)) cols.AsSpan(start, end - start).Sort(vals.AsSpan(start, end - start));
            for (int k = start; k < end; k++)
            {
                if (write > rowPointers[r] && cols[write - 1] == cols[k]) vals[write - 1] += vals[k];
                else
                {
                    cols[write] = cols[k];
                    vals[write] = vals[k];
                    write++;
                }
            }
            rowPointers[r + 1] = write;
        }
        if (write != count)
        {
            Array.Resize(ref cols, write);
            Array.Resize(ref vals, write);
        }
        var matrix = new CsrMatrix(rows, columns, rowPointers, cols, vals, validate: false);
        matrix.CheckValuesFinite();
        return matrix;
    }

    private static bool IsSorted(int[] cols, int start, int end)
    {
        for (int k = start + 1; k < end; k++)
            if (cols[k] < cols[k - 1]) return false;
        return true;
    }

    /// <summary>The n x n identity.</summary>
    public static CsrMatrix Identity(int n)
    {
        var rp = new int[n + 1];
        var ci = new int[n];
        var v = new double[n];
        for (int i = 0; i < n; i++)
        {
            rp[i + 1] = i + 1;
            ci[i] = i;
            v[i] = 1;
        }
        return new CsrMatrix(n, n, rp, ci, v, validate: false);
    }

    /// <summary>
    /// Checks sizes, monotone row pointers, column indices in range, sorted and unique within each row,
    /// and finite values; throws <see cref="InvalidMatrixException"/> naming the first offending index and value.
    /// </summary>
    public void Validate()
    {
        if (Rows < 0 || Columns < 0) throw new InvalidMatrixException($"Matrix size {Rows} x {Columns} is negative.");
        if (RowPointers.Length != Rows + 1)
            throw new InvalidMatrixException($"RowPointers has length {RowPointers.Length}; a matrix with {Rows} rows needs {Rows + 1}.");
        if (RowPointers[0] != 0) throw new InvalidMatrixException($"RowPointers[0] is {RowPointers[0]}; it must be 0.");
        int nnz = RowPointers[Rows];
        if (nnz < 0 || ColumnIndices.Length < nnz || Values.Length < nnz)
            throw new InvalidMatrixException($"RowPointers[{Rows}] = {nnz} entries, but ColumnIndices has {ColumnIndices.Length} and Values has {Values.Length}.");
        for (int r = 0; r < Rows; r++)
        {
            int start = RowPointers[r], end = RowPointers[r + 1];
            if (end < start) throw new InvalidMatrixException($"RowPointers decreases at row {r}: {start} then {end}.");
            for (int k = start; k < end; k++)
            {
                int c = ColumnIndices[k];
                if ((uint)c >= (uint)Columns)
                    throw new InvalidMatrixException($"Entry {k} (row {r}): column index {c} is outside 0..{Columns - 1}.");
                if (k > start && c <= ColumnIndices[k - 1])
                    throw new InvalidMatrixException($"Entry {k} (row {r}): column {c} follows column {ColumnIndices[k - 1]}; columns must be sorted and unique within a row.");
            }
        }
        CheckValuesFinite();
    }

    private void CheckValuesFinite()
    {
        var values = Values.AsSpan(0, NonZeros);
        int bad = values.IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (bad >= 0)
            throw new InvalidMatrixException($"Entry {bad} (row {RowOf(bad)}, column {ColumnIndices[bad]}) has value {values[bad]}; values must be finite.");
    }

    /// <summary>The row that stores entry <paramref name="entry"/>.</summary>
    public int RowOf(int entry)
    {
        int r = Array.BinarySearch(RowPointers, entry);
        if (r < 0) return ~r - 1;
        while (r < Rows && RowPointers[r + 1] == entry) r++; // skip empty rows that share the pointer
        return r;
    }

    /// <summary>A(row, column), zero where nothing is stored.</summary>
    public double this[int row, int column]
    {
        get
        {
            if ((uint)row >= (uint)Rows) throw new ArgumentOutOfRangeException(nameof(row), row, $"Row must be in 0..{Rows - 1}.");
            if ((uint)column >= (uint)Columns) throw new ArgumentOutOfRangeException(nameof(column), column, $"Column must be in 0..{Columns - 1}.");
            int k = IndexOf(row, column);
            return k >= 0 ? Values[k] : 0.0;
        }
    }

    /// <summary>Position of (row, column) in <see cref="Values"/>, or -1 when the entry is not stored.</summary>
    public int IndexOf(int row, int column)
    {
        int start = RowPointers[row];
        int k = Array.BinarySearch(ColumnIndices, start, RowPointers[row + 1] - start, column);
        return k >= 0 ? k : -1;
    }

    /// <summary>The main diagonal (zero where not stored), length min(Rows, Columns).</summary>
    public double[] Diagonal()
    {
        var d = new double[Math.Min(Rows, Columns)];
        for (int r = 0; r < d.Length; r++)
        {
            int k = IndexOf(r, r);
            if (k >= 0) d[r] = Values[k];
        }
        return d;
    }

    /// <summary>Aᵀ, built in O(nnz) with sorted columns.</summary>
    public CsrMatrix Transpose() => Transpose(null);

    /// <summary>
    /// Aᵀ, and where each entry went: entry k of A is entry <paramref name="positions"/>[k] of Aᵀ, so new values on the
    /// same pattern can be scattered into the transpose without building it again.
    /// </summary>
    public CsrMatrix Transpose(out int[] positions)
    {
        positions = new int[NonZeros];
        return Transpose(positions);
    }

    private CsrMatrix Transpose(int[]? positions)
    {
        int nnz = NonZeros;
        var rp = new int[Columns + 1];
        for (int k = 0; k < nnz; k++) rp[ColumnIndices[k] + 1]++;
        for (int c = 0; c < Columns; c++) rp[c + 1] += rp[c];
        var next = rp.AsSpan(0, Columns).ToArray();
        var ci = new int[nnz];
        var v = new double[nnz];
        for (int r = 0; r < Rows; r++)
        {
            for (int k = RowPointers[r]; k < RowPointers[r + 1]; k++)
            {
                int slot = next[ColumnIndices[k]]++;
                ci[slot] = r;
                v[slot] = Values[k];
                if (positions is not null) positions[k] = slot;
            }
        }
        return new CsrMatrix(Columns, Rows, rp, ci, v, validate: false);
    }

    /// <summary>
    /// True when A is square and |a_ij - a_ji| ≤ tolerance · max(|a_ij|, |a_ji|) for every entry
    /// (an entry stored on one side only must be within tolerance of zero relative to itself, i.e. zero).
    /// </summary>
    public bool IsSymmetric(double relativeTolerance = 0)
    {
        if (!IsSquare) return false;
        if (MirroredEntriesMatch(relativeTolerance) is { } matched) return matched;
        var t = Transpose();
        // Aᵀ's rows come out sorted; where A's are too and the patterns agree (the usual case), one pass compares values
        // entry by entry. Otherwise an entry stored on one side only must be zero, which the lookups below decide.
        if (HasSamePattern(t)) return ValuesMatchInPlace(Values, t.Values, NonZeros, relativeTolerance);
        return ValuesMatch(this, t, relativeTolerance) && ValuesMatch(t, this, relativeTolerance);
    }

    /// <summary>
    /// One pass without a transpose, for a symmetric pattern: walking the rows in order, the entries (i, j) with j &lt; i
    /// meet row j's entries right of its diagonal in column order, so a cursor per row finds each mirror entry. Returns
    /// whether the values match, or null when the pattern is not symmetric (an entry stored on one side only may still
    /// be a zero, which the transpose-based comparison decides). 2D Poisson 1M: 16 ms against 55 ms through the transpose.
    /// </summary>
    private bool? MirroredEntriesMatch(double tolerance)
    {
        int n = Rows;
        int[] rowPointers = RowPointers, columns = ColumnIndices;
        double[] values = Values;
        var next = new int[n];
        for (int j = 0; j < n; j++)
        {
            int k = rowPointers[j];
            while (k < rowPointers[j + 1] && columns[k] <= j) k++;
            next[j] = k;
        }
        for (int i = 0; i < n; i++)
        {
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                int j = columns[k];
                if (j >= i) break;
                int p = next[j];
                if (p >= rowPointers[j + 1] || columns[p] != i) return null;
                next[j] = p + 1;
                double a = values[k], b = values[p];
                if (Math.Abs(a - b) > tolerance * Math.Max(Math.Abs(a), Math.Abs(b))) return false; // both stored, unequal
            }
        }
        for (int j = 0; j < n; j++)
            if (next[j] != rowPointers[j + 1]) return null;
        return true;
    }

    private static bool ValuesMatchInPlace(double[] a, double[] b, int count, double tolerance)
    {
        for (int k = 0; k < count; k++)
            if (Math.Abs(a[k] - b[k]) > tolerance * Math.Max(Math.Abs(a[k]), Math.Abs(b[k]))) return false;
        return true;
    }

    private static bool ValuesMatch(CsrMatrix a, CsrMatrix b, double tolerance)
    {
        for (int r = 0; r < a.Rows; r++)
        {
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
            {
                int kb = b.IndexOf(r, a.ColumnIndices[k]);
                double va = a.Values[k], vb = kb >= 0 ? b.Values[kb] : 0.0;
                if (Math.Abs(va - vb) > tolerance * Math.Max(Math.Abs(va), Math.Abs(vb))) return false;
            }
        }
        return true;
    }

    /// <summary>True when <paramref name="other"/> has the same size and the same stored positions (values may differ).</summary>
    public bool HasSamePattern(CsrMatrix other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (Rows != other.Rows || Columns != other.Columns) return false;
        if (ReferenceEquals(RowPointers, other.RowPointers) && ReferenceEquals(ColumnIndices, other.ColumnIndices)) return true;
        return RowPointers.AsSpan().SequenceEqual(other.RowPointers)
            && ColumnIndices.AsSpan(0, NonZeros).SequenceEqual(other.ColumnIndices.AsSpan(0, NonZeros));
    }

    /// <summary>A matrix with this sparsity pattern and new values (the pattern arrays are shared).</summary>
    public CsrMatrix WithValues(double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length < NonZeros)
            throw new InvalidMatrixException($"The pattern has {NonZeros} entries but {values.Length} values were given.");
        var m = new CsrMatrix(Rows, Columns, RowPointers, ColumnIndices, values, validate: false);
        m.CheckValuesFinite();
        return m;
    }

    /// <summary>y = A x on the calling thread: the reference SpMV that fast paths are tested against.</summary>
    public void Multiply(ReadOnlySpan<double> x, Span<double> y)
    {
        if (x.Length != Columns) throw new ArgumentException($"x has length {x.Length}; the matrix has {Columns} columns.", nameof(x));
        if (y.Length != Rows) throw new ArgumentException($"y has length {y.Length}; the matrix has {Rows} rows.", nameof(y));
        MultiplyRows(0, Rows, x, y);
    }

    /// <summary>y[r] = (A x)[r] for r in [rowStart, rowEnd); indices were validated at construction.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void MultiplyRows(int rowStart, int rowEnd, ReadOnlySpan<double> x, Span<double> y)
    {
        ref int rp = ref MemoryMarshal.GetArrayDataReference(RowPointers);
        ref int ci = ref MemoryMarshal.GetArrayDataReference(ColumnIndices);
        ref double v = ref MemoryMarshal.GetArrayDataReference(Values);
        ref double xr = ref MemoryMarshal.GetReference(x);
        ref double yr = ref MemoryMarshal.GetReference(y);
        int k = Unsafe.Add(ref rp, rowStart);
        for (int r = rowStart; r < rowEnd; r++)
        {
            int end = Unsafe.Add(ref rp, r + 1);
            double s0 = 0, s1 = 0;
            for (; k + 1 < end; k += 2)
            {
                s0 = Math.FusedMultiplyAdd(Unsafe.Add(ref v, k), Unsafe.Add(ref xr, Unsafe.Add(ref ci, k)), s0);
                s1 = Math.FusedMultiplyAdd(Unsafe.Add(ref v, k + 1), Unsafe.Add(ref xr, Unsafe.Add(ref ci, k + 1)), s1);
            }
            if (k < end)
            {
                s0 = Math.FusedMultiplyAdd(Unsafe.Add(ref v, k), Unsafe.Add(ref xr, Unsafe.Add(ref ci, k)), s0);
                k++;
            }
            Unsafe.Add(ref yr, r) = s0 + s1;
        }
    }

    /// <summary>
    /// Y[:, j] = A X[:, j] for rows [rowStart, rowEnd) and the <paramref name="count"/> columns of column-major blocks
    /// (column j of X at x[j·ldx], of Y at y[j·ldy]; ldx ≥ Columns, ldy ≥ Rows), by tiles of <see cref="BlockRowTile"/> rows: a tile's entries
    /// come from memory for the first columns and from cache for the others, and within a tile four (or two) columns share
    /// each loaded entry and index. (All columns row by row over the whole range ran several times slower than one
    /// SpMV at 1M unknowns: too many streams at once, in the same cache sets.) Each column sums in the order of
    /// <see cref="MultiplyRows"/>, so it equals its own SpMV bit for bit.
    /// </summary>
    internal void MultiplyRowsBlock(int rowStart, int rowEnd, ReadOnlySpan<double> x, Span<double> y, int count, int ldx, int ldy)
    {
        if (ldx < Columns || ldy < Rows || (count > 0 && (x.Length < (long)(count - 1) * ldx + Columns || y.Length < (long)(count - 1) * ldy + Rows)))
            throw new ArgumentException($"Blocks of {count} columns with leading dimensions {ldx} and {ldy} do not fit spans of {x.Length} and {y.Length} for a {Rows} x {Columns} matrix.");
        // Columns a multiple of 4 KiB apart share cache sets: four at once then thrash (1024² Poisson, 8 columns: 4.7x one
        // SpMV with four, 4.3x with two; 1000²: 3.6x with four, 4.5x with two). Shape.PaddedBlock avoids that.
        bool aliased = ldx % 512 == 0 || ldy % 512 == 0;
        for (int tile = rowStart; tile < rowEnd; tile += BlockRowTile)
        {
            int tileEnd = Math.Min(tile + BlockRowTile, rowEnd);
            int j = 0;
            if (!aliased)
                for (; j + 3 < count; j += 4) MultiplyRowsQuad(tile, tileEnd, x[(j * ldx)..], y[(j * ldy)..], ldx, ldy);
            for (; j + 1 < count; j += 2) MultiplyRowsPair(tile, tileEnd, x[(j * ldx)..], y[(j * ldy)..], ldx, ldy);
            if (j < count) MultiplyRows(tile, tileEnd, x.Slice(j * ldx, Columns), y.Slice(j * ldy, Rows));
        }
    }

    /// <summary>
    /// Rows [rowStart, rowEnd) of Y = A X on interleaved blocks of eight columns (row i of X at x[8i], of Y at y[8i]):
    /// one 512-bit load and fused multiply-add per entry for all eight columns. With a <paramref name="gram"/> span
    /// (square matrices) it adds Σ_i X[i, t] Y[i, a] into gram[t·8 + a], the Gram product XᵀAX formed while each row of
    /// Y is in a register; an empty span skips it. Y's rows are streamed past the cache when y is 64-byte aligned: the
    /// block is larger than the caches at the sizes where this matters, and a plain store would first read each line.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal unsafe void MultiplyRowsInterleaved(int rowStart, int rowEnd, ReadOnlySpan<double> x, Span<double> y, Span<double> gram)
    {
        const int w = 8;
        bool withGram = gram.Length > 0;
        if (x.Length < (long)w * Columns || y.Length < (long)w * Rows || (withGram && (gram.Length < w * w || Rows != Columns)))
            throw new ArgumentException($"Interleaved blocks of {w} columns do not fit spans of {x.Length} and {y.Length} (or the Gram span of {gram.Length}) for a {Rows} x {Columns} matrix.");
        ref int rp = ref MemoryMarshal.GetArrayDataReference(RowPointers);
        ref int ci = ref MemoryMarshal.GetArrayDataReference(ColumnIndices);
        ref double v = ref MemoryMarshal.GetArrayDataReference(Values);
        ref double xr = ref MemoryMarshal.GetReference(x);
        // Eight locals rather than a struct of eight vectors: in this loop the JIT keeps only locals in registers.
        Vector512<double> g0 = default, g1 = default, g2 = default, g3 = default, g4 = default, g5 = default, g6 = default, g7 = default;
        fixed (double* yp = y)
        {
            bool stream = Avx512F.IsSupported && (nint)yp % 64 == 0;
            int k = Unsafe.Add(ref rp, rowStart);
            for (int r = rowStart; r < rowEnd; r++)
            {
                int end = Unsafe.Add(ref rp, r + 1);
                var a = Vector512<double>.Zero;
                var b = Vector512<double>.Zero; // two chains: the entries' multiply-adds overlap
                for (; k + 1 < end; k += 2)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v, k)), Vector512.LoadUnsafe(ref xr, (nuint)Unsafe.Add(ref ci, k) * w), a);
                    b = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v, k + 1)), Vector512.LoadUnsafe(ref xr, (nuint)Unsafe.Add(ref ci, k + 1) * w), b);
                }
                if (k < end)
                {
                    a = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref v, k)), Vector512.LoadUnsafe(ref xr, (nuint)Unsafe.Add(ref ci, k) * w), a);
                    k++;
                }
                a += b;
                if (stream) Avx512F.StoreAlignedNonTemporal(yp + (nint)r * w, a);
                else a.Store(yp + (nint)r * w);
                if (!withGram) continue;
                ref double p = ref Unsafe.Add(ref xr, (nint)r * w);
                g0 = Vector512.FusedMultiplyAdd(Vector512.Create(p), a, g0);
                g1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 1)), a, g1);
                g2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 2)), a, g2);
                g3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 3)), a, g3);
                g4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 4)), a, g4);
                g5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 5)), a, g5);
                g6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 6)), a, g6);
                g7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref p, 7)), a, g7);
            }
            if (stream) Sse.StoreFence(); // streamed lines are weakly ordered: publish them before the team's join
        }
        if (!withGram) return;
        ref double g = ref MemoryMarshal.GetReference(gram);
        (Vector512.LoadUnsafe(ref g, 0) + g0).StoreUnsafe(ref g, 0);
        (Vector512.LoadUnsafe(ref g, 8) + g1).StoreUnsafe(ref g, 8);
        (Vector512.LoadUnsafe(ref g, 16) + g2).StoreUnsafe(ref g, 16);
        (Vector512.LoadUnsafe(ref g, 24) + g3).StoreUnsafe(ref g, 24);
        (Vector512.LoadUnsafe(ref g, 32) + g4).StoreUnsafe(ref g, 32);
        (Vector512.LoadUnsafe(ref g, 40) + g5).StoreUnsafe(ref g, 40);
        (Vector512.LoadUnsafe(ref g, 48) + g6).StoreUnsafe(ref g, 48);
        (Vector512.LoadUnsafe(ref g, 56) + g7).StoreUnsafe(ref g, 56);
    }

    /// <summary>Two adjacent columns of <see cref="MultiplyRowsBlock"/>: each entry and index loaded once for both, each column summed as <see cref="MultiplyRows"/> does.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyRowsPair(int rowStart, int rowEnd, ReadOnlySpan<double> x, Span<double> y, int ldx, int ldy)
    {
        ref int rp = ref MemoryMarshal.GetArrayDataReference(RowPointers);
        ref int ci = ref MemoryMarshal.GetArrayDataReference(ColumnIndices);
        ref double v = ref MemoryMarshal.GetArrayDataReference(Values);
        ref double x0 = ref MemoryMarshal.GetReference(x);
        ref double x1 = ref Unsafe.Add(ref x0, ldx);
        ref double y0 = ref MemoryMarshal.GetReference(y);
        ref double y1 = ref Unsafe.Add(ref y0, ldy);
        int k = Unsafe.Add(ref rp, rowStart);
        for (int r = rowStart; r < rowEnd; r++)
        {
            int end = Unsafe.Add(ref rp, r + 1);
            double a0 = 0, b0 = 0, a1 = 0, b1 = 0;
            for (; k + 1 < end; k += 2)
            {
                double va = Unsafe.Add(ref v, k), vb = Unsafe.Add(ref v, k + 1);
                int ca = Unsafe.Add(ref ci, k), cb = Unsafe.Add(ref ci, k + 1);
                a0 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x0, ca), a0);
                b0 = Math.FusedMultiplyAdd(vb, Unsafe.Add(ref x0, cb), b0);
                a1 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x1, ca), a1);
                b1 = Math.FusedMultiplyAdd(vb, Unsafe.Add(ref x1, cb), b1);
            }
            if (k < end)
            {
                double va = Unsafe.Add(ref v, k);
                int ca = Unsafe.Add(ref ci, k);
                a0 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x0, ca), a0);
                a1 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x1, ca), a1);
                k++;
            }
            Unsafe.Add(ref y0, r) = a0 + b0;
            Unsafe.Add(ref y1, r) = a1 + b1;
        }
    }

    /// <summary>Four adjacent columns of <see cref="MultiplyRowsBlock"/>, as <see cref="MultiplyRowsPair"/> does two.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MultiplyRowsQuad(int rowStart, int rowEnd, ReadOnlySpan<double> x, Span<double> y, int ldx, int ldy)
    {
        ref int rp = ref MemoryMarshal.GetArrayDataReference(RowPointers);
        ref int ci = ref MemoryMarshal.GetArrayDataReference(ColumnIndices);
        ref double v = ref MemoryMarshal.GetArrayDataReference(Values);
        ref double x0 = ref MemoryMarshal.GetReference(x);
        ref double x1 = ref Unsafe.Add(ref x0, ldx);
        ref double x2 = ref Unsafe.Add(ref x1, ldx);
        ref double x3 = ref Unsafe.Add(ref x2, ldx);
        ref double y0 = ref MemoryMarshal.GetReference(y);
        int k = Unsafe.Add(ref rp, rowStart);
        for (int r = rowStart; r < rowEnd; r++)
        {
            int end = Unsafe.Add(ref rp, r + 1);
            double a0 = 0, b0 = 0, a1 = 0, b1 = 0, a2 = 0, b2 = 0, a3 = 0, b3 = 0;
            for (; k + 1 < end; k += 2)
            {
                double va = Unsafe.Add(ref v, k), vb = Unsafe.Add(ref v, k + 1);
                int ca = Unsafe.Add(ref ci, k), cb = Unsafe.Add(ref ci, k + 1);
                a0 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x0, ca), a0); b0 = Math.FusedMultiplyAdd(vb, Unsafe.Add(ref x0, cb), b0);
                a1 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x1, ca), a1); b1 = Math.FusedMultiplyAdd(vb, Unsafe.Add(ref x1, cb), b1);
                a2 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x2, ca), a2); b2 = Math.FusedMultiplyAdd(vb, Unsafe.Add(ref x2, cb), b2);
                a3 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x3, ca), a3); b3 = Math.FusedMultiplyAdd(vb, Unsafe.Add(ref x3, cb), b3);
            }
            if (k < end)
            {
                double va = Unsafe.Add(ref v, k);
                int ca = Unsafe.Add(ref ci, k);
                a0 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x0, ca), a0);
                a1 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x1, ca), a1);
                a2 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x2, ca), a2);
                a3 = Math.FusedMultiplyAdd(va, Unsafe.Add(ref x3, ca), a3);
                k++;
            }
            Unsafe.Add(ref y0, r) = a0 + b0;
            Unsafe.Add(ref y0, ldy + r) = a1 + b1;
            Unsafe.Add(ref y0, 2 * ldy + r) = a2 + b2;
            Unsafe.Add(ref y0, 3 * ldy + r) = a3 + b3;
        }
    }

    /// <summary>Rows per tile of the block SpMV: a 5-point tile's entries and rows (~40 KiB) stay in L2 across the columns.</summary>
    internal const int BlockRowTile = 512;

    /// <summary>
    /// r[i] = b[i] − (A x)[i] for i in [rowStart, rowEnd); b may be r itself (each b[i] is read before r[i] is written).
    /// The loop repeats <see cref="MultiplyRows"/> on purpose: a shared per-row helper measured 10–20% slower.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void ResidualRows(int rowStart, int rowEnd, ReadOnlySpan<double> x, ReadOnlySpan<double> b, Span<double> r)
    {
        ref int rp = ref MemoryMarshal.GetArrayDataReference(RowPointers);
        ref int ci = ref MemoryMarshal.GetArrayDataReference(ColumnIndices);
        ref double v = ref MemoryMarshal.GetArrayDataReference(Values);
        ref double xr = ref MemoryMarshal.GetReference(x);
        int k = Unsafe.Add(ref rp, rowStart);
        for (int i = rowStart; i < rowEnd; i++)
        {
            int end = Unsafe.Add(ref rp, i + 1);
            double s0 = 0, s1 = 0;
            for (; k + 1 < end; k += 2)
            {
                s0 = Math.FusedMultiplyAdd(Unsafe.Add(ref v, k), Unsafe.Add(ref xr, Unsafe.Add(ref ci, k)), s0);
                s1 = Math.FusedMultiplyAdd(Unsafe.Add(ref v, k + 1), Unsafe.Add(ref xr, Unsafe.Add(ref ci, k + 1)), s1);
            }
            if (k < end)
            {
                s0 = Math.FusedMultiplyAdd(Unsafe.Add(ref v, k), Unsafe.Add(ref xr, Unsafe.Add(ref ci, k)), s0);
                k++;
            }
            r[i] = b[i] - (s0 + s1);
        }
    }

    /// <summary>Dense copy, for small matrices in tests and direct reference solves.</summary>
    public double[,] ToDense()
    {
        var d = new double[Rows, Columns];
        for (int r = 0; r < Rows; r++)
            for (int k = RowPointers[r]; k < RowPointers[r + 1]; k++)
                d[r, ColumnIndices[k]] = Values[k];
        return d;
    }

    public override string ToString() => $"CsrMatrix {Rows} x {Columns}, {NonZeros} entries";
}
