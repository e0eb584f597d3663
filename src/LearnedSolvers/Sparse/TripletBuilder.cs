namespace LearnedSolvers.Sparse;

/// <summary>
/// Collects (row, column, value) triplets in any order and builds a <see cref="CsrMatrix"/>;
/// duplicate entries are summed, as in Matrix Market and finite-element assembly.
/// </summary>
public sealed class TripletBuilder
{
    private int[] _rows;
    private int[] _columns;
    private double[] _values;
    private int _count;

    public TripletBuilder(int rows, int columns, int capacity = 16)
    {
        if (rows < 0) throw new ArgumentOutOfRangeException(nameof(rows), rows, "Row count must be non-negative.");
        if (columns < 0) throw new ArgumentOutOfRangeException(nameof(columns), columns, "Column count must be non-negative.");
        Rows = rows;
        Columns = columns;
        capacity = Math.Max(capacity, 4);
        _rows = new int[capacity];
        _columns = new int[capacity];
        _values = new double[capacity];
    }

    public int Rows { get; }
    public int Columns { get; }
    public int Count => _count;

    /// <summary>Adds value at (row, column); an entry added twice is summed.</summary>
    public void Add(int row, int column, double value)
    {
        if ((uint)row >= (uint)Rows)
            throw new InvalidMatrixException($"Triplet {_count}: row index {row} is outside 0..{Rows - 1}.");
        if ((uint)column >= (uint)Columns)
            throw new InvalidMatrixException($"Triplet {_count}: column index {column} is outside 0..{Columns - 1}.");
        if (_count == _rows.Length) Grow();
        _rows[_count] = row;
        _columns[_count] = column;
        _values[_count] = value;
        _count++;
    }

    private void Grow()
    {
        long next = Math.Min((long)_rows.Length * 2, Array.MaxLength);
        if (next <= _rows.Length)
            throw new InvalidMatrixException($"More than {_rows.Length} triplets: CSR indices are 32-bit, so a matrix holds at most {int.MaxValue} entries.");
        Array.Resize(ref _rows, (int)next);
        Array.Resize(ref _columns, (int)next);
        Array.Resize(ref _values, (int)next);
    }

    /// <summary>Builds the CSR matrix: rows in order, columns sorted within a row, duplicates summed.</summary>
    public CsrMatrix ToCsr() => CsrMatrix.FromTriplets(Rows, Columns, _rows.AsSpan(0, _count), _columns.AsSpan(0, _count), _values.AsSpan(0, _count));
}
