namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// The symbolic analysis of a Cholesky factorization L Lᵀ of a symmetric (already permuted) matrix: elimination tree,
/// its postorder, and the entries of every column of L, so the factor's size, and with it the memory, is known before
/// any value is computed (cs_schol of Davis, "Direct Methods for Sparse Linear Systems", 2006, sec. 4.6).
/// </summary>
internal sealed class SymbolicCholesky
{
    /// <summary>Analyses the symmetric matrix whose upper triangle is given column by column (rows i ≤ k, any order).</summary>
    public SymbolicCholesky(int n, int[] upperColumnPointers, int[] upperRows)
    {
        Size = n;
        Parent = EliminationTree.Parents(n, upperColumnPointers, upperRows);
        Postorder = EliminationTree.Postorder(Parent);
        ColumnCounts = CholeskyColumnCounts.Count(n, upperColumnPointers, upperRows, Parent, Postorder);
        long total = 0;
        foreach (int count in ColumnCounts) total += count;
        FactorNonZeros = total;
    }

    public int Size { get; }

    /// <summary>Elimination tree: the parent of each column, −1 at a root.</summary>
    public int[] Parent { get; }

    /// <summary>A postorder of the elimination tree (k-th node at [k]).</summary>
    public int[] Postorder { get; }

    /// <summary>Entries of each column of L, diagonal included.</summary>
    public int[] ColumnCounts { get; }

    /// <summary>nnz(L), diagonal included.</summary>
    public long FactorNonZeros { get; }

    /// <summary>Column pointers of L from the counts (length n + 1); only valid when <see cref="FactorNonZeros"/> fits an array.</summary>
    public int[] ColumnPointers()
    {
        var pointers = new int[Size + 1];
        for (int j = 0; j < Size; j++) pointers[j + 1] = pointers[j] + ColumnCounts[j];
        return pointers;
    }

    /// <summary>
    /// The upper triangle, column by column, of P (A + Aᵀ) Pᵀ for a square CSR pattern and the inverse permutation
    /// (old → new): every stored entry (i, j) lands in column max(pinv[i], pinv[j]); pairs stored on both sides appear
    /// twice, which the tree and the counts ignore.
    /// </summary>
    public static (int[] ColumnPointers, int[] Rows) UpperOfPermutedSum(int n, int[] rowPointers, int[] columnIndices, int[] inversePermutation)
    {
        int nnz = rowPointers[n];
        var pointers = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int pi = inversePermutation[i];
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
                pointers[Math.Max(pi, inversePermutation[columnIndices[k]]) + 1]++;
        }
        for (int j = 0; j < n; j++) pointers[j + 1] += pointers[j];
        var rows = new int[nnz];
        var slot = pointers.AsSpan(0, n).ToArray();
        for (int i = 0; i < n; i++)
        {
            int pi = inversePermutation[i];
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                int pj = inversePermutation[columnIndices[k]];
                rows[slot[Math.Max(pi, pj)]++] = Math.Min(pi, pj);
            }
        }
        return (pointers, rows);
    }
}
