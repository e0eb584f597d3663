using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Strength of connection and greedy aggregation for smoothed-aggregation AMG (Vaněk, Mandel and Brezina 1996,
/// "Algebraic multigrid by smoothed aggregation for second and fourth order elliptic problems", §3).
/// </summary>
internal static class Aggregation
{
    /// <summary>
    /// aggregate[i] for every row (−1 for a row with no strong connection: it is left to the smoother, as in PyAMG).
    /// Pass 1 makes each untouched row whose strong neighbours are all untouched a root with its neighbourhood;
    /// pass 2 joins leftover rows to a neighbouring aggregate; pass 3 groups what remains with its free neighbours.
    /// </summary>
    public static int[] Aggregate(CsrMatrix a, double threshold, out int count)
    {
        int n = a.Rows;
        var diagonal = a.Diagonal();
        bool Strong(int i, int k) => IsStrong(a, diagonal, threshold, i, k);

        var aggregate = new int[n];
        Array.Fill(aggregate, -2); // −2: untouched, −1: isolated
        count = 0;
        for (int i = 0; i < n; i++)
        {
            bool any = false, free = true;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                if (!Strong(i, k)) continue;
                any = true;
                if (aggregate[a.ColumnIndices[k]] != -2) free = false;
            }
            if (!any)
            {
                aggregate[i] = -1;
                continue;
            }
            if (aggregate[i] != -2 || !free) continue;
            aggregate[i] = count;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                if (Strong(i, k)) aggregate[a.ColumnIndices[k]] = count;
            count++;
        }
        var joined = (int[])aggregate.Clone();
        for (int i = 0; i < n; i++)
        {
            if (aggregate[i] != -2) continue;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                if (Strong(i, k) && aggregate[a.ColumnIndices[k]] >= 0)
                {
                    joined[i] = aggregate[a.ColumnIndices[k]];
                    break;
                }
            }
        }
        aggregate = joined;
        for (int i = 0; i < n; i++)
        {
            if (aggregate[i] != -2) continue;
            aggregate[i] = count;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                if (Strong(i, k) && aggregate[a.ColumnIndices[k]] == -2) aggregate[a.ColumnIndices[k]] = count;
            count++;
        }
        return aggregate;
    }

    /// <summary>Entry k of row i is a strong off-diagonal coupling: |a_ij| ≥ θ √(|a_ii a_jj|).</summary>
    private static bool IsStrong(CsrMatrix a, double[] diagonal, double threshold, int i, int k)
    {
        int j = a.ColumnIndices[k];
        return j != i && Math.Abs(a.Values[k]) >= threshold * Math.Sqrt(Math.Abs(diagonal[i] * diagonal[j]));
    }
}
