using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.Managed;

/// <summary>The checks every managed factorization makes on its matrix before any work.</summary>
internal static class FactorizationInput
{
    /// <summary>The options (null: the defaults) validated, then <paramref name="a"/> checked as by <see cref="Require(CsrMatrix, string)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static DirectSolverOptions Require(CsrMatrix a, DirectSolverOptions? options, string factorization)
    {
        options ??= new DirectSolverOptions();
        options.Validate();
        Require(a, factorization);
        return options;
    }

    /// <summary>
    /// A square matrix with finite values. The values are checked again although <see cref="CsrMatrix"/> checks them
    /// when built: its arrays are shared, and a NaN written afterwards would otherwise come back as a NaN solution.
    /// </summary>
    /// <exception cref="ArgumentException">Not square.</exception>
    /// <exception cref="InvalidMatrixException">A value is NaN or infinite.</exception>
    public static void Require(CsrMatrix a, string factorization)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare)
            throw new ArgumentException($"{factorization} factors square matrices; this one is {a.Rows} x {a.Columns}.", nameof(a));
        int bad = a.Values.AsSpan(0, a.NonZeros).IndexOfAnyExceptInRange(double.MinValue, double.MaxValue);
        if (bad >= 0)
            throw new InvalidMatrixException($"Entry {bad} (row {a.RowOf(bad)}, column {a.ColumnIndices[bad]}) has value {a.Values[bad]}; {factorization} needs finite values.");
    }
}
