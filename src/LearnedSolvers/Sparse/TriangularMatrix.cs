using LearnedSolvers.Preconditioners;

namespace LearnedSolvers.Sparse;

/// <summary>
/// A square lower or upper triangular matrix in CSR form (columns sorted within each row), with its
/// <see cref="LevelSchedule"/>. A stored diagonal is the last entry of a lower row and the first of an upper row; a
/// unit-diagonal matrix stores no diagonal (ILU(0)'s L). The arrays are shared, not copied.
/// <para>
/// The pattern is fixed; the values may be rewritten in place for a new factorization on the same pattern, after
/// which a device copy is refreshed with <see cref="Devices.DeviceTriangularMatrix.UpdateValues"/> (the schedule,
/// which depends on the pattern alone, is kept).
/// </para>
/// </summary>
public sealed class TriangularMatrix
{
    /// <summary>Wraps CSR arrays after checking that they hold a triangular matrix of the stated kind.</summary>
    /// <param name="size">Rows (and columns).</param>
    /// <param name="isLower">True for a lower, false for an upper triangular matrix.</param>
    /// <param name="hasUnitDiagonal">True when the diagonal is all ones and not stored.</param>
    /// <param name="rowPointers">CSR row pointers (length size + 1).</param>
    /// <param name="columnIndices">Sorted column indices of each row.</param>
    /// <param name="values">The entries.</param>
    /// <exception cref="InvalidMatrixException">The arrays are not a triangular matrix of that kind (names the first offending entry).</exception>
    public TriangularMatrix(int size, bool isLower, bool hasUnitDiagonal, int[] rowPointers, int[] columnIndices, double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        ArgumentNullException.ThrowIfNull(rowPointers);
        ArgumentNullException.ThrowIfNull(columnIndices);
        ArgumentNullException.ThrowIfNull(values);
        Size = size;
        IsLower = isLower;
        HasUnitDiagonal = hasUnitDiagonal;
        RowPointers = rowPointers;
        ColumnIndices = columnIndices;
        Values = values;
        CheckPattern();
    }

    public int Size { get; }

    /// <summary>True for a lower triangular matrix (solved from the top), false for an upper one (from the bottom).</summary>
    public bool IsLower { get; }

    /// <summary>True when the diagonal is all ones and not stored.</summary>
    public bool HasUnitDiagonal { get; }

    public int[] RowPointers { get; }
    public int[] ColumnIndices { get; }

    /// <summary>The entries; rewritable in place for new values on the same pattern.</summary>
    public double[] Values { get; }

    /// <summary>Number of stored entries (the diagonal included unless it is a unit diagonal).</summary>
    public int NonZeros => RowPointers[Size];

    /// <summary>The rows grouped into levels of independent rows, computed from the pattern on first use (a CPU with few cores sweeps in row order and never needs them).</summary>
    public LevelSchedule Levels
    {
        get
        {
            if (Volatile.Read(ref _levels) is { } levels) return levels;
            Interlocked.CompareExchange(ref _levels, LevelSchedule.Analyze(Size, RowPointers, ColumnIndices, IsLower), null);
            return _levels!;
        }
    }

    private LevelSchedule? _levels;

    /// <summary>Entries skipped at the start of each row to reach its off-diagonal part: 1 for an upper row with a stored diagonal.</summary>
    internal int DiagonalFirst => !IsLower && !HasUnitDiagonal ? 1 : 0;

    /// <summary>Entries skipped at the end of each row: 1 for a lower row with a stored diagonal.</summary>
    internal int DiagonalLast => IsLower && !HasUnitDiagonal ? 1 : 0;

    /// <summary>
    /// Writes 1 / d_i for every row into <paramref name="destination"/> (length <see cref="Size"/>), or ones for a unit
    /// diagonal; solves multiply by these instead of dividing.
    /// </summary>
    /// <exception cref="ZeroPivotException">A diagonal entry is zero or its reciprocal is not finite.</exception>
    public void InverseDiagonal(Span<double> destination)
    {
        if (destination.Length != Size)
            throw new ArgumentException($"The destination holds {destination.Length} values; the matrix has {Size} rows.", nameof(destination));
        for (int i = 0; i < Size; i++) destination[i] = InverseDiagonal(i);
    }

    /// <summary>1 / d_i for row <paramref name="row"/> (1 for a unit diagonal).</summary>
    /// <exception cref="ZeroPivotException">The diagonal entry is zero or its reciprocal is not finite.</exception>
    internal double InverseDiagonal(int row)
    {
        if (HasUnitDiagonal) return 1;
        double d = Values[IsLower ? RowPointers[row + 1] - 1 : RowPointers[row]];
        double inverse = 1 / d;
        return double.IsFinite(inverse) ? inverse : throw new ZeroPivotException(nameof(TriangularMatrix), row, d);
    }

    private void CheckPattern()
    {
        if (RowPointers.Length != Size + 1)
            throw new InvalidMatrixException($"RowPointers has length {RowPointers.Length}; a matrix with {Size} rows needs {Size + 1}.");
        if (RowPointers[0] != 0) throw new InvalidMatrixException($"RowPointers[0] is {RowPointers[0]}; it must be 0.");
        int nnz = RowPointers[Size];
        if (nnz < 0 || ColumnIndices.Length < nnz || Values.Length < nnz)
            throw new InvalidMatrixException($"RowPointers[{Size}] = {nnz} entries, but ColumnIndices has {ColumnIndices.Length} and Values has {Values.Length}.");
        string kind = IsLower ? "lower" : "upper";
        for (int i = 0; i < Size; i++)
        {
            int start = RowPointers[i], end = RowPointers[i + 1];
            if (end < start) throw new InvalidMatrixException($"RowPointers decreases at row {i}: {start} then {end}.");
            for (int k = start; k < end; k++)
            {
                int c = ColumnIndices[k];
                if ((uint)c >= (uint)Size) throw new InvalidMatrixException($"Entry {k} (row {i}): column index {c} is outside 0..{Size - 1}.");
                if (k > start && c <= ColumnIndices[k - 1])
                    throw new InvalidMatrixException($"Entry {k} (row {i}): column {c} follows column {ColumnIndices[k - 1]}; columns must be sorted and unique within a row.");
                bool outside = IsLower ? c > i : c < i;
                if (outside) throw new InvalidMatrixException($"Entry {k} (row {i}, column {c}) lies outside the {kind} triangle.");
                // Sorted columns inside the triangle put a stored diagonal last in a lower row and first in an upper one.
                if (c == i && HasUnitDiagonal)
                    throw new InvalidMatrixException($"Row {i} stores a diagonal entry, but the matrix has a unit diagonal, which is not stored.");
            }
            if (!HasUnitDiagonal && (end == start || ColumnIndices[IsLower ? end - 1 : start] != i))
                throw new InvalidMatrixException($"Row {i} has no diagonal entry; a {kind} triangular matrix without a unit diagonal stores it.");
        }
    }
}
