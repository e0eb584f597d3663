namespace LearnedSolvers.Sparse;

/// <summary>
/// The rows of a triangular matrix grouped into levels such that every row depends only on rows of earlier levels
/// (Anderson and Saad 1989; Saad, Iterative Methods for Sparse Linear Systems, §11.6.2): the rows of one level can be
/// solved at the same time. Level ℓ's rows are <c>Rows[LevelStarts[ℓ] … LevelStarts[ℓ + 1])</c>, ascending within the
/// level so that a sweep over one level reads memory forwards. Depends on the pattern alone: computed once per pattern.
/// </summary>
public sealed class LevelSchedule
{
    private LevelSchedule(int[] levelStarts, int[] rows)
    {
        LevelStarts = levelStarts;
        Rows = rows;
        int widest = 0;
        for (int level = 0; level < LevelCount; level++) widest = Math.Max(widest, levelStarts[level + 1] - levelStarts[level]);
        WidestLevel = widest;
    }

    /// <summary>Number of levels: the length of the longest dependency chain; the number of steps a parallel solve takes.</summary>
    public int LevelCount => LevelStarts.Length - 1;

    /// <summary>Where each level starts in <see cref="Rows"/>, with the row count as the last entry (length <see cref="LevelCount"/> + 1).</summary>
    public int[] LevelStarts { get; }

    /// <summary>Every row once, level after level.</summary>
    public int[] Rows { get; }

    /// <summary>The most rows in one level.</summary>
    public int WidestLevel { get; }

    /// <summary>
    /// The schedule of the triangular matrix whose off-diagonal entries are the columns of each row other than the row
    /// itself: a lower matrix depends on earlier rows, an upper one on later rows. The caller has checked the pattern
    /// is triangular (see <see cref="TriangularMatrix"/>).
    /// </summary>
    internal static LevelSchedule Analyze(int size, int[] rowPointers, int[] columnIndices, bool lower)
    {
        var levelOf = new int[size];
        int levelCount = 0;
        for (int step = 0; step < size; step++)
        {
            int row = lower ? step : size - 1 - step;
            int level = 0;
            for (int k = rowPointers[row]; k < rowPointers[row + 1]; k++)
            {
                int column = columnIndices[k];
                if (column != row) level = Math.Max(level, levelOf[column] + 1);
            }
            levelOf[row] = level;
            levelCount = Math.Max(levelCount, level + 1);
        }

        // A counting sort by level keeps the rows of a level in ascending order.
        var levelStarts = new int[levelCount + 1];
        for (int row = 0; row < size; row++) levelStarts[levelOf[row] + 1]++;
        for (int level = 0; level < levelCount; level++) levelStarts[level + 1] += levelStarts[level];
        var next = levelStarts.AsSpan(0, levelCount).ToArray();
        var rows = new int[size];
        for (int row = 0; row < size; row++) rows[next[levelOf[row]]++] = row;
        return new LevelSchedule(levelStarts, rows);
    }
}
