namespace LearnedSolvers.Sparse;

/// <summary>
/// What the banner and size line of a Matrix Market file declare, read without touching the data
/// (see <see cref="MatrixMarketReader.ReadHeader(string)"/>).
/// </summary>
/// <param name="Format">Sparse coordinate triplets or a dense column-major array.</param>
/// <param name="Field">The type of the stored values.</param>
/// <param name="Symmetry">Which part of the matrix is stored.</param>
/// <param name="Rows">Declared number of rows.</param>
/// <param name="Columns">Declared number of columns.</param>
/// <param name="Entries">
/// Number of entries stored in the file: the size line's count for coordinate files; for array files the
/// values the layout implies (rows·columns for general, the lower triangle for symmetric, the strict lower
/// triangle for skew-symmetric). Symmetric storage is counted before it is expanded to the full matrix.
/// </param>
public sealed record MatrixMarketHeader(
    MatrixMarketFormat Format,
    MatrixMarketField Field,
    MatrixMarketSymmetry Symmetry,
    int Rows,
    int Columns,
    long Entries)
{
    /// <summary>The banner line this header corresponds to, e.g. "%%MatrixMarket matrix coordinate real symmetric".</summary>
    public string Banner => $"%%MatrixMarket matrix {FormatName(Format)} {FieldName(Field)} {SymmetryName(Symmetry)}";

    internal static string FormatName(MatrixMarketFormat format) => format switch
    {
        MatrixMarketFormat.Coordinate => "coordinate",
        _ => "array",
    };

    internal static string FieldName(MatrixMarketField field) => field switch
    {
        MatrixMarketField.Real => "real",
        MatrixMarketField.Integer => "integer",
        MatrixMarketField.Pattern => "pattern",
        _ => "complex",
    };

    internal static string SymmetryName(MatrixMarketSymmetry symmetry) => symmetry switch
    {
        MatrixMarketSymmetry.General => "general",
        MatrixMarketSymmetry.Symmetric => "symmetric",
        MatrixMarketSymmetry.SkewSymmetric => "skew-symmetric",
        _ => "hermitian",
    };
}

/// <summary>The storage format named in a Matrix Market banner.</summary>
public enum MatrixMarketFormat
{
    /// <summary>Sparse: one "row column [value]" line per stored entry, 1-based.</summary>
    Coordinate,

    /// <summary>Dense: every value in column-major order, one per line.</summary>
    Array,
}

/// <summary>The value type named in a Matrix Market banner.</summary>
public enum MatrixMarketField
{
    /// <summary>Floating-point values.</summary>
    Real,

    /// <summary>Integer values (read as doubles).</summary>
    Integer,

    /// <summary>No values: every stored entry is 1 (coordinate format only).</summary>
    Pattern,

    /// <summary>Real and imaginary parts; the header can be read, the data cannot (the library is real-valued).</summary>
    Complex,
}

/// <summary>The symmetry named in a Matrix Market banner, which says what part of the matrix is stored.</summary>
public enum MatrixMarketSymmetry
{
    /// <summary>Every entry is stored.</summary>
    General,

    /// <summary>a_ji = a_ij; only the lower triangle (with the diagonal) is stored.</summary>
    Symmetric,

    /// <summary>a_ji = −a_ij and the diagonal is zero; only the strict lower triangle is stored.</summary>
    SkewSymmetric,

    /// <summary>a_ji = conj(a_ij); complex only, so the header can be read but the data cannot.</summary>
    Hermitian,
}
