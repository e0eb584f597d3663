namespace LearnedSolvers.Sparse;

/// <summary>
/// A dense rows × columns block stored column-major (each column contiguous), as Matrix Market array files and
/// <see cref="Devices.Shape.Block"/> lay it out: several right-hand sides or solutions.
/// </summary>
public sealed record DenseColumns
{
    public DenseColumns(int rows, int columns, double[] values)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length != (long)rows * columns)
            throw new ArgumentException($"A {rows} x {columns} block holds {(long)rows * columns} values; {values.Length} were given.", nameof(values));
        Rows = rows;
        Columns = columns;
        Values = values;
    }

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>Column-major values: entry (i, j) at [j · Rows + i].</summary>
    public double[] Values { get; }

    /// <summary>Column <paramref name="j"/>.</summary>
    public Span<double> Column(int j) => Values.AsSpan(j * Rows, Rows);
}
