using LearnedSolvers.Sparse.Orderings;

namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// The elimination tree of a symmetric matrix and its postorder (Liu, "The role of elimination trees in sparse
/// factorization", SIAM J. Matrix Anal. Appl. 11(1), 1990; cs_etree and cs_post of Davis, "Direct Methods for Sparse
/// Linear Systems", 2006, sec. 4.1 and 4.3): parent[j] is the row of the first off-diagonal entry of column j of the
/// Cholesky factor L, so the tree says which columns of L a column's pattern flows into.
/// </summary>
internal static class EliminationTree
{
    /// <summary>
    /// Parents (−1 at a root) from the upper triangle of a symmetric matrix, column by column: column k lists rows i ≤ k
    /// (in any order; the diagonal and duplicates are ignored). Path compression through ancestor keeps it near O(nnz).
    /// </summary>
    public static int[] Parents(int n, int[] upperColumnPointers, int[] upperRows)
    {
        var parent = new int[n];
        var ancestor = new int[n];
        for (int k = 0; k < n; k++)
        {
            parent[k] = -1;
            ancestor[k] = -1;
            for (int p = upperColumnPointers[k]; p < upperColumnPointers[k + 1]; p++)
            {
                int i = upperRows[p];
                while (i != -1 && i < k)
                {
                    int next = ancestor[i];
                    ancestor[i] = k;
                    if (next == -1) parent[i] = k;
                    i = next;
                }
            }
        }
        return parent;
    }

    /// <summary>A postorder of the forest: post[k] is the k-th node, every subtree contiguous and its root last.</summary>
    public static int[] Postorder(int[] parent)
    {
        int n = parent.Length;
        var head = new int[n];
        var next = new int[n];
        var stack = new int[n];
        var post = new int[n];
        Array.Fill(head, -1);
        // Children are pushed in reverse so that each list runs in increasing order, as cs_post does.
        for (int j = n - 1; j >= 0; j--)
        {
            if (parent[j] == -1) continue;
            next[j] = head[parent[j]];
            head[parent[j]] = j;
        }
        int k = 0;
        for (int j = 0; j < n; j++)
            if (parent[j] == -1) k = ApproximateMinimumDegree.TreeDepthFirst(j, k, head, next, post, stack);
        return post;
    }
}
