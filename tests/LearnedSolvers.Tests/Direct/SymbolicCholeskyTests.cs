using LearnedSolvers.Direct.Managed;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

public class SymbolicCholeskyTests
{
    /// <summary>The pattern of L by elimination on a dense boolean matrix: the definition the fast methods must agree with.</summary>
    private static bool[,] BruteForcePattern(CsrMatrix a)
    {
        int n = a.Rows;
        var filled = new bool[n, n];
        for (int i = 0; i < n; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                filled[i, a.ColumnIndices[k]] = true;
                filled[a.ColumnIndices[k], i] = true;
            }
        for (int j = 0; j < n; j++)
        {
            filled[j, j] = true;
            for (int r = j + 1; r < n; r++)
                if (filled[r, j])
                    for (int c = j + 1; c < n; c++)
                        if (filled[c, j]) filled[r, c] = true;
        }
        return filled;
    }

    [Theory]
    [InlineData(1, 1, 3)]
    [InlineData(13, 2, 3)]
    [InlineData(60, 3, 4)]
    [InlineData(151, 4, 6)]
    public void TreeAndCounts_MatchEliminationOnADenseCopy(int n, int seed, int perRow)
    {
        var a = RandomSystems.Nonsymmetric(n, seed, perRow);
        var identity = Enumerable.Range(0, n).ToArray();
        var (pointers, rows) = SymbolicCholesky.UpperOfPermutedSum(n, a.RowPointers, a.ColumnIndices, identity);
        var symbolic = new SymbolicCholesky(n, pointers, rows);
        var pattern = BruteForcePattern(a);
        long total = 0;
        for (int j = 0; j < n; j++)
        {
            int count = 0, parent = -1;
            for (int i = n - 1; i >= j; i--)
            {
                if (!pattern[i, j]) continue;
                count++;
                if (i > j) parent = i; // ends at the smallest row below the diagonal
            }
            Assert.Equal(count, symbolic.ColumnCounts[j]);
            Assert.Equal(parent, symbolic.Parent[j]);
            total += count;
        }
        Assert.Equal(total, symbolic.FactorNonZeros);

        // A postorder: a permutation in which every node comes after all of its children.
        var position = new int[n];
        for (int k = 0; k < n; k++) position[symbolic.Postorder[k]] = k;
        Assert.Equal(identity, symbolic.Postorder.Order());
        for (int j = 0; j < n; j++)
            if (symbolic.Parent[j] != -1) Assert.True(position[j] < position[symbolic.Parent[j]]);
    }
}
