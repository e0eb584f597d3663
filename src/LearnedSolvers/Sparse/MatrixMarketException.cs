namespace LearnedSolvers.Sparse;

/// <summary>
/// A Matrix Market file that cannot be read: the message names the file, the line and what is wrong there,
/// e.g. "A.mtx line 17: column index 12 is outside 1..10".
/// </summary>
public sealed class MatrixMarketException : FormatException
{
    /// <summary>Creates the exception; <paramref name="lineNumber"/> is 1-based, or 0 when no single line is to blame.</summary>
    public MatrixMarketException(string fileName, long lineNumber, string detail, Exception? innerException = null)
        : base(Compose(fileName, lineNumber, detail), innerException)
    {
        FileName = fileName;
        LineNumber = lineNumber;
        Detail = detail;
    }

    /// <summary>The path (or the name given for a stream) of the file being read.</summary>
    public string FileName { get; }

    /// <summary>The 1-based line where the problem is; 0 when it belongs to no single line.</summary>
    public long LineNumber { get; }

    /// <summary>What is wrong, without the file and line prefix.</summary>
    public string Detail { get; }

    private static string Compose(string fileName, long lineNumber, string detail) =>
        lineNumber > 0 ? $"{fileName} line {lineNumber}: {detail}" : $"{fileName}: {detail}";
}
