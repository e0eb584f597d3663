using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>Random triangular matrices for solve tests, diagonally dominant so that solves are well conditioned.</summary>
public static class RandomTriangular
{
    /// <summary>
    /// A lower or upper triangular matrix with about <paramref name="perRow"/> off-diagonal entries per row at random
    /// columns on the row's side of the diagonal (fewer near the first rows it can depend on).
    /// </summary>
    public static TriangularMatrix Matrix(int n, int seed, bool isLower, bool unitDiagonal, int perRow = 4) =>
        Build(n, seed, isLower, unitDiagonal, perRow, i => isLower ? (0, i) : (i + 1, n));

    /// <summary>
    /// Row i depends only on rows at distance between <paramref name="gap"/> and 2·<paramref name="gap"/>: the level
    /// schedule has levels about <paramref name="gap"/> rows wide (wide enough for the CPU device's parallel levels).
    /// </summary>
    public static TriangularMatrix WideLevels(int n, int seed, bool isLower, bool unitDiagonal, int gap, int perRow = 4) =>
        Build(n, seed, isLower, unitDiagonal, perRow,
            i => isLower ? (Math.Max(0, i - 2 * gap), Math.Max(0, i - gap + 1)) : (Math.Min(n, i + gap), Math.Min(n, i + 2 * gap)));

    /// <summary>Dense copy, for reference solves.</summary>
    public static double[,] ToDense(TriangularMatrix t)
    {
        var d = new double[t.Size, t.Size];
        for (int i = 0; i < t.Size; i++)
        {
            if (t.HasUnitDiagonal) d[i, i] = 1;
            for (int k = t.RowPointers[i]; k < t.RowPointers[i + 1]; k++) d[i, t.ColumnIndices[k]] = t.Values[k];
        }
        return d;
    }

    /// <summary>
    /// T x = b by substitution in row order, with each row's arithmetic as the CPU device does it: b_i / t_ii minus the
    /// other off-diagonal terms (t_ij / t_ii) x_j in stored order, then the term of the row solved just before
    /// (column i ∓ 1) as one fused multiply-add; values below 2⁻²⁰⁰ · max |b_i| stored as zero. The same bits.
    /// </summary>
    public static double[] Solve(TriangularMatrix t, double[] b)
    {
        var x = new double[t.Size];
        double threshold = b.Length == 0 ? 0 : b.Max(Math.Abs) * Math.ScaleB(1, -200);
        int neighbourStep = t.IsLower ? -1 : 1;
        for (int step = 0; step < t.Size; step++)
        {
            int i = t.IsLower ? step : t.Size - 1 - step;
            double inverse = 1;
            for (int k = t.RowPointers[i]; k < t.RowPointers[i + 1]; k++)
                if (t.ColumnIndices[k] == i) inverse = 1 / t.Values[k];
            double s = b[i] * inverse, neighbour = 0;
            for (int k = t.RowPointers[i]; k < t.RowPointers[i + 1]; k++)
            {
                int j = t.ColumnIndices[k];
                if (j == i + neighbourStep) neighbour = t.Values[k] * inverse;
                else if (j != i) s -= t.Values[k] * inverse * x[j];
            }
            double xi = neighbour == 0 ? s : Math.FusedMultiplyAdd(-neighbour, x[i + neighbourStep], s);
            x[i] = Math.Abs(xi) < threshold ? 0 : xi;
        }
        return x;
    }

    private static TriangularMatrix Build(int n, int seed, bool isLower, bool unitDiagonal, int perRow, Func<int, (int From, int To)> range)
    {
        var rng = new Random(seed);
        var rowPointers = new int[n + 1];
        var columns = new List<int>();
        var values = new List<double>();
        var row = new SortedSet<int>();
        for (int i = 0; i < n; i++)
        {
            row.Clear();
            var (from, to) = range(i);
            for (int e = 0; e < perRow && to > from; e++) row.Add(rng.Next(from, to));
            if (!unitDiagonal) row.Add(i);
            foreach (int j in row)
            {
                columns.Add(j);
                // Off-diagonal entries sum to less than the diagonal's magnitude (1 for a unit diagonal, 2 to 3 otherwise).
                values.Add(j == i ? (rng.Next(2) == 0 ? -1 : 1) * (2 + rng.NextDouble()) : (2 * rng.NextDouble() - 1) / perRow);
            }
            rowPointers[i + 1] = columns.Count;
        }
        return new TriangularMatrix(n, isLower, unitDiagonal, rowPointers, columns.ToArray(), values.ToArray());
    }
}
