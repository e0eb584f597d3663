using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Orderings;

namespace LearnedSolvers.Direct.Managed;

/// <summary>The symmetric permutation a managed factorization uses, from <see cref="DirectSolverOptions.Ordering"/>.</summary>
internal static class FillReducingOrdering
{
    /// <summary>
    /// p (new → old): the identity for <see cref="DirectOrdering.Natural"/>, AMD on A + Aᵀ otherwise (the choice of
    /// CHOLMOD and KLU for Cholesky and for LU of nearly symmetric patterns alike).
    /// </summary>
    public static int[] For(CsrMatrix a, DirectOrdering ordering)
    {
        if (ordering == DirectOrdering.Natural)
        {
            var identity = new int[a.Rows];
            for (int i = 0; i < identity.Length; i++) identity[i] = i;
            return identity;
        }
        return ApproximateMinimumDegree.Order(a);
    }

    /// <summary>pinv with pinv[p[k]] = k (old → new).</summary>
    public static int[] Inverse(int[] permutation)
    {
        var inverse = new int[permutation.Length];
        for (int k = 0; k < permutation.Length; k++) inverse[permutation[k]] = k;
        return inverse;
    }
}
