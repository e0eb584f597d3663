namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// Entries per column of the Cholesky factor L (diagonal included) without forming L, in nearly O(nnz(A)): the
/// skeleton-matrix and least-common-ancestor method of Gilbert, Ng and Peyton ("An efficient algorithm to compute row
/// and column counts for sparse Cholesky factorization", SIAM J. Matrix Anal. Appl. 15(4), 1994), as cs_counts of
/// Davis, "Direct Methods for Sparse Linear Systems", 2006, sec. 4.5, for the L Lᵀ = A case.
/// </summary>
internal static class CholeskyColumnCounts
{
    /// <summary>
    /// Column counts of L for the symmetric matrix whose upper triangle is given column by column (rows i ≤ k in any
    /// order; duplicates are harmless), with its elimination tree and a postorder of it.
    /// </summary>
    public static int[] Count(int n, int[] upperColumnPointers, int[] upperRows, int[] parent, int[] post)
    {
        // Row j of the upper triangle is column j of the lower one: the entries A(i, j), i > j, that the method visits.
        var lowerPointers = new int[n + 1];
        for (int p = 0; p < upperColumnPointers[n]; p++) lowerPointers[upperRows[p] + 1]++;
        for (int j = 0; j < n; j++) lowerPointers[j + 1] += lowerPointers[j];
        var lowerRows = new int[upperColumnPointers[n]];
        var slot = lowerPointers.AsSpan(0, n).ToArray();
        for (int k = 0; k < n; k++)
            for (int p = upperColumnPointers[k]; p < upperColumnPointers[k + 1]; p++)
                lowerRows[slot[upperRows[p]]++] = k;

        var delta = new int[n];
        var first = new int[n];
        var maxFirst = new int[n];
        var previousLeaf = new int[n];
        var ancestor = new int[n];
        Array.Fill(first, -1);
        Array.Fill(maxFirst, -1);
        Array.Fill(previousLeaf, -1);
        for (int k = 0; k < n; k++)
        {
            // first[j]: the postorder index of the first descendant of j; delta[j] = 1 marks a leaf.
            int j = post[k];
            delta[j] = first[j] == -1 ? 1 : 0;
            for (; j != -1 && first[j] == -1; j = parent[j]) first[j] = k;
        }
        for (int i = 0; i < n; i++) ancestor[i] = i;
        for (int k = 0; k < n; k++)
        {
            int j = post[k];
            if (parent[j] != -1) delta[parent[j]]--; // j is not a root
            for (int p = lowerPointers[j]; p < lowerPointers[j + 1]; p++)
            {
                int i = lowerRows[p];
                int q = Leaf(i, j, first, maxFirst, previousLeaf, ancestor, out int leafKind);
                if (leafKind >= 1) delta[j]++; // A(i, j) is in the skeleton
                if (leafKind == 2) delta[q]--; // the row subtree's overlap at the least common ancestor q
            }
            if (parent[j] != -1) ancestor[j] = parent[j];
        }
        for (int j = 0; j < n; j++)
            if (parent[j] != -1) delta[parent[j]] += delta[j];
        return delta;
    }

    /// <summary>
    /// Whether j is a leaf of the i-th row subtree (kind 1: its first leaf, 2: a later one, 0: not a leaf), and the
    /// root of that subtree (kind 1) or the least common ancestor of j and the previous leaf (kind 2), with path compression.
    /// </summary>
    private static int Leaf(int i, int j, int[] first, int[] maxFirst, int[] previousLeaf, int[] ancestor, out int kind)
    {
        kind = 0;
        if (i <= j || first[j] <= maxFirst[i]) return -1;
        maxFirst[i] = first[j];
        int previous = previousLeaf[i];
        previousLeaf[i] = j;
        kind = previous == -1 ? 1 : 2;
        if (kind == 1) return i;
        int q = previous;
        while (q != ancestor[q]) q = ancestor[q];
        for (int s = previous; s != q;)
        {
            int up = ancestor[s];
            ancestor[s] = q;
            s = up;
        }
        return q;
    }
}
