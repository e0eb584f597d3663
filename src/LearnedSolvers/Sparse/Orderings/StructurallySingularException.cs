namespace LearnedSolvers.Sparse.Orderings;

/// <summary>
/// The nonzero entries of the matrix admit no perfect matching: no row permutation puts a nonzero on every diagonal
/// position, so every term of the determinant vanishes and the matrix is singular whatever the values of those
/// entries (structurally singular; explicitly stored zeros count as zeros). <see cref="MatchedCount"/> is
/// the size of a maximum matching, the structural rank; <see cref="UnmatchedColumn"/> (0-based) is a column the maximum
/// matching found leaves uncovered; the message counts from 1, as Matrix Market files do.
/// </summary>
public sealed class StructurallySingularException(int size, int matchedCount, int unmatchedColumn)
    : InvalidOperationException(
        $"The matrix is structurally singular: only {matchedCount} of its {size} rows can be matched to distinct columns through nonzero entries, "
        + $"so every row permutation leaves {size - matchedCount} zero(s) on the diagonal (column {unmatchedColumn + 1}, counting from 1, is left unmatched).")
{
    /// <summary>Rows (and columns) of the square matrix.</summary>
    public int Size { get; } = size;

    /// <summary>Size of a maximum matching of nonzero entries: the structural rank, less than <see cref="Size"/>.</summary>
    public int MatchedCount { get; } = matchedCount;

    /// <summary>0-based index of a column left without a matched row.</summary>
    public int UnmatchedColumn { get; } = unmatchedColumn;
}
