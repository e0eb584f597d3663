namespace LearnedSolvers.Preconditioners;

/// <summary>
/// The sparse working row w of a threshold factorization (Saad, Iterative Methods for Sparse Linear Systems, §10.4.3):
/// values stored densely by column, the list of columns that hold one, and each column's place in that list, so that
/// loading a row, an update w −= α·u and the reset after the row cost the row's entries, not n. Also chooses the
/// largest entries of a part of the row (the "keep the p largest" rule of ILUT and ICT).
/// </summary>
internal sealed class SparseWorkingRow
{
    private readonly double[] _values;     // by column; zero for a column not in the row
    private readonly bool[] _present;
    private readonly int[] _columns;       // the columns in the row, in the order they entered
    private readonly double[] _sortKeys;   // scratch for the selection of the largest entries
    private int _count;

    /// <param name="size">The number of columns.</param>
    public SparseWorkingRow(int size)
    {
        _values = new double[size];
        _present = new bool[size];
        _columns = new int[size];
        _sortKeys = new double[size];
    }

    /// <summary>The columns in the row (exact zeros included), in the order they entered.</summary>
    public ReadOnlySpan<int> Columns => _columns.AsSpan(0, _count);

    /// <summary>w_column (zero when absent); setting it does not add the column.</summary>
    public double this[int column]
    {
        get => _values[column];
        set => _values[column] = value;
    }

    /// <summary>w_column += value; true when the column was not in the row before (a fill-in).</summary>
    public bool Add(int column, double value)
    {
        _values[column] += value;
        if (_present[column]) return false;
        _present[column] = true;
        _columns[_count++] = column;
        return true;
    }

    /// <summary>Empties the row, touching only its entries.</summary>
    public void Clear()
    {
        foreach (int c in Columns)
        {
            _values[c] = 0;
            _present[c] = false;
        }
        _count = 0;
    }

    /// <summary>
    /// Reorders <paramref name="columns"/> (columns of this row) so that its first min(count, <paramref name="keep"/>)
    /// hold the entries largest in magnitude, and returns that number; the kept columns are in no particular order.
    /// </summary>
    public int KeepLargest(Span<int> columns, int keep)
    {
        if (columns.Length <= keep) return columns.Length;
        var keys = _sortKeys.AsSpan(0, columns.Length);
        for (int k = 0; k < columns.Length; k++) keys[k] = -Math.Abs(_values[columns[k]]);
        keys.Sort(columns);
        return keep;
    }
}
