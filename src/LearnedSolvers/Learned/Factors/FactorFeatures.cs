using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// The graph network's inputs for a scaled matrix Ã and a base factor on its lower pattern (IC(0)'s L̃ or FSAI's G̃;
/// none for NeuralPCG). Nodes: Σ_{j≠i} |ã_ij| (how far from diagonal dominance the row is), Σ_j ã_ij (1 in the interior
/// of a Laplacian, more at a Dirichlet boundary), the base factor's diagonal (1 without one). Edges, in A's entry order:
/// ã_ij, the base factor's value on lower entries (0 elsewhere), whether the entry is below the diagonal, whether it is
/// the diagonal. All of them are invariant to A's scale.
/// </summary>
internal static class FactorFeatures
{
    public const int NodeCount = 3;
    public const int EdgeCount = 4;

    /// <param name="scaled">Ã.</param>
    /// <param name="baseValues">The base factor's values on the lower pattern (row by row, diagonal last), or null.</param>
    /// <param name="lowerRows">The lower pattern's row pointers (diagonal last in each row).</param>
    /// <param name="lowerSource">Each lower-pattern entry's position in A.</param>
    /// <param name="nodes">[n, 3], written.</param>
    /// <param name="edges">[nnz, 4], written.</param>
    public static void Compute(CsrMatrix scaled, double[]? baseValues, int[] lowerRows, int[] lowerSource, Span<float> nodes, Span<float> edges)
    {
        int n = scaled.Rows;
        edges.Clear();
        for (int i = 0; i < n; i++)
        {
            double absolute = 0, sum = 0;
            for (int k = scaled.RowPointers[i]; k < scaled.RowPointers[i + 1]; k++)
            {
                int j = scaled.ColumnIndices[k];
                double v = scaled.Values[k];
                sum += v;
                if (j != i) absolute += Math.Abs(v);
                edges[EdgeCount * k] = (float)v;
                edges[EdgeCount * k + 2] = j < i ? 1 : 0;
                edges[EdgeCount * k + 3] = j == i ? 1 : 0;
            }
            nodes[NodeCount * i] = (float)absolute;
            nodes[NodeCount * i + 1] = (float)sum;
            nodes[NodeCount * i + 2] = 1;
        }
        if (baseValues is null) return;
        for (int i = 0; i < n; i++)
        {
            for (int p = lowerRows[i]; p < lowerRows[i + 1]; p++) edges[EdgeCount * lowerSource[p] + 1] = (float)baseValues[p];
            nodes[NodeCount * i + 2] = (float)baseValues[lowerRows[i + 1] - 1];
        }
    }
}
