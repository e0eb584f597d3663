namespace LearnedSolvers.Distributed;

/// <summary>
/// Which contiguous block of global rows each rank owns: rank r owns rows [Start(r), Start(r) + Count(r)). Every rank
/// holds the whole table (P + 1 integers), so any rank can name the owner of any row without asking.
/// </summary>
public sealed class RowPartition
{
    private readonly int[] _starts;

    /// <param name="starts">P + 1 nondecreasing row boundaries from 0 to the global row count.</param>
    public RowPartition(ReadOnlySpan<int> starts)
    {
        if (starts.Length < 2) throw new ArgumentException($"A partition needs P + 1 ≥ 2 boundaries; {starts.Length} were given.", nameof(starts));
        if (starts[0] != 0) throw new ArgumentException($"The first boundary must be 0; it is {starts[0]}.", nameof(starts));
        for (int r = 1; r < starts.Length; r++)
            if (starts[r] < starts[r - 1])
                throw new ArgumentException($"Boundaries must not decrease: starts[{r}] = {starts[r]} < starts[{r - 1}] = {starts[r - 1]}.", nameof(starts));
        _starts = starts.ToArray();
    }

    /// <summary>Rows split as evenly as possible in rank order: the first rows mod P ranks own one row more.</summary>
    public static RowPartition Balanced(int rows, int ranks)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(ranks, 1);
        var starts = new int[ranks + 1];
        int share = rows / ranks, extra = rows % ranks;
        for (int r = 0; r < ranks; r++) starts[r + 1] = starts[r] + share + (r < extra ? 1 : 0);
        return new RowPartition(starts);
    }

    /// <summary>Ranks (P).</summary>
    public int Ranks => _starts.Length - 1;

    /// <summary>Rows in all.</summary>
    public int GlobalRows => _starts[^1];

    /// <summary>The first global row of <paramref name="rank"/>.</summary>
    public int Start(int rank) => _starts[CheckRank(rank)];

    /// <summary>The rows <paramref name="rank"/> owns.</summary>
    public int Count(int rank) => _starts[CheckRank(rank) + 1] - _starts[rank];

    /// <summary>The rank that owns global row <paramref name="row"/>.</summary>
    public int Owner(int row)
    {
        if ((uint)row >= (uint)GlobalRows) throw new ArgumentOutOfRangeException(nameof(row), row, $"Rows are 0..{GlobalRows - 1}.");
        // The last boundary ≤ row among the P + 1; empty ranks share a boundary with the next, so take the last.
        int lo = 0, hi = Ranks - 1;
        while (lo < hi)
        {
            int mid = (lo + hi + 1) >> 1;
            if (_starts[mid] <= row) lo = mid;
            else hi = mid - 1;
        }
        return lo;
    }

    private int CheckRank(int rank) =>
        (uint)rank < (uint)Ranks ? rank : throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Ranks are 0..{Ranks - 1}.");

    public override string ToString() => $"{GlobalRows} rows over {Ranks} ranks";
}
