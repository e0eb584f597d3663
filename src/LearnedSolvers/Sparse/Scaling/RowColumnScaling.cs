namespace LearnedSolvers.Sparse.Scaling;

/// <summary>
/// Two positive diagonal scalings and the matrix they produce, Â = D_r A D_c. A system A x = b becomes
/// Â y = D_r b with x = D_c y. <see cref="Equilibration"/> computes them.
/// </summary>
public sealed class RowColumnScaling
{
    /// <summary>Checks the scalings (lengths, finite and positive) and forms D_r A D_c.</summary>
    /// <exception cref="ArgumentException">A length differs from the matrix, or a factor is not finite and positive.</exception>
    public RowColumnScaling(CsrMatrix a, double[] rowScaling, double[] columnScaling)
    {
        ArgumentNullException.ThrowIfNull(a);
        CheckFactors(rowScaling, a.Rows, nameof(rowScaling));
        CheckFactors(columnScaling, a.Columns, nameof(columnScaling));
        RowScaling = rowScaling;
        ColumnScaling = columnScaling;
        Iterations = 0;
        Scaled = Apply(a, rowScaling, columnScaling);
    }

    /// <summary>Wraps scalings an iteration built as positive factors together with the matrix they already formed.</summary>
    internal RowColumnScaling(CsrMatrix scaled, double[] rowScaling, double[] columnScaling, int iterations)
    {
        Scaled = scaled;
        RowScaling = rowScaling;
        ColumnScaling = columnScaling;
        Iterations = iterations;
    }

    /// <summary>The diagonal of D_r, one positive factor per row.</summary>
    public double[] RowScaling { get; }

    /// <summary>The diagonal of D_c, one positive factor per column.</summary>
    public double[] ColumnScaling { get; }

    /// <summary>D_r A D_c, on A's pattern.</summary>
    public CsrMatrix Scaled { get; }

    /// <summary>Passes the method made over the matrix: 1 for <see cref="Equilibration.RowThenColumn"/>, 0 for scalings given to the constructor or for Ruiz on a matrix already within tolerance.</summary>
    public int Iterations { get; }

    /// <summary>max over rows and columns of |1 − max_j |â_ij|| and |1 − max_i |â_ij||, ignoring empty rows and columns: 0 when fully equilibrated.</summary>
    public double Imbalance()
    {
        var (rowMax, columnMax) = Equilibration.RowAndColumnMaxima(Scaled);
        return Equilibration.Imbalance(rowMax, columnMax);
    }

    /// <summary>D_r A D_c on A's pattern (the pattern arrays are shared).</summary>
    /// <exception cref="ArgumentException">A length differs from the matrix.</exception>
    public static CsrMatrix Apply(CsrMatrix a, ReadOnlySpan<double> rowScaling, ReadOnlySpan<double> columnScaling)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (rowScaling.Length != a.Rows)
            throw new ArgumentException($"The row scaling has length {rowScaling.Length}; the matrix has {a.Rows} rows.", nameof(rowScaling));
        if (columnScaling.Length != a.Columns)
            throw new ArgumentException($"The column scaling has length {columnScaling.Length}; the matrix has {a.Columns} columns.", nameof(columnScaling));
        var values = new double[a.NonZeros];
        // The factors are multiplied together first, so with D_r = D_c entries (i, j) and (j, i) of a symmetric A get
        // bit-identical products and the scaled matrix stays exactly symmetric.
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                values[k] = a.Values[k] * (rowScaling[i] * columnScaling[a.ColumnIndices[k]]);
        return a.WithValues(values);
    }

    private static void CheckFactors(double[] factors, int length, string name)
    {
        ArgumentNullException.ThrowIfNull(factors, name);
        if (factors.Length != length) throw new ArgumentException($"The scaling has length {factors.Length}; the matrix needs {length}.", name);
        for (int i = 0; i < factors.Length; i++)
            if (!(factors[i] > 0) || double.IsInfinity(factors[i]))
                throw new ArgumentException($"Scaling factor {i} is {factors[i]}; factors must be finite and positive.", name);
    }
}
