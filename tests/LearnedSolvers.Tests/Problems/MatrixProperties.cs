using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Problems;

/// <summary>Assertions on the structure of generated grid matrices: signs, dominance, row sums.</summary>
internal static class MatrixProperties
{
    /// <summary>Positive diagonal; Σ_{j≠i} |a_ij| ≤ a_ii in every row (to rounding), and strictly less in rows with a
    /// missing stencil neighbour (next to the Dirichlet boundary).</summary>
    public static void AssertDiagonallyDominant(CsrMatrix a, int fullStencil)
    {
        for (int r = 0; r < a.Rows; r++)
        {
            double diagonal = 0, off = 0;
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
            {
                if (a.ColumnIndices[k] == r) diagonal = a.Values[k];
                else off += Math.Abs(a.Values[k]);
            }
            Assert.True(diagonal > 0, $"Row {r}: diagonal {diagonal} is not positive.");
            Assert.True(off <= diagonal * (1 + 1e-12), $"Row {r}: off-diagonal sum {off} exceeds the diagonal {diagonal}.");
            bool boundary = a.RowPointers[r + 1] - a.RowPointers[r] < fullStencil;
            if (boundary) Assert.True(off < diagonal * (1 - 1e-12), $"Boundary row {r}: off-diagonal sum {off} is not strictly below the diagonal {diagonal}.");
        }
    }

    /// <summary>Every off-diagonal entry ≤ 0 (the sign pattern of an M-matrix).</summary>
    public static void AssertNonpositiveOffDiagonal(CsrMatrix a)
    {
        for (int r = 0; r < a.Rows; r++)
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
                if (a.ColumnIndices[k] != r) Assert.True(a.Values[k] <= 0, $"Entry ({r}, {a.ColumnIndices[k]}) = {a.Values[k]} is positive.");
    }

    /// <summary>Row sums of rows with the full stencil (no boundary neighbour), relative to the diagonal.</summary>
    public static double MaxInteriorRowSum(CsrMatrix a, int fullStencil)
    {
        double worst = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            if (a.RowPointers[r + 1] - a.RowPointers[r] < fullStencil) continue;
            double sum = 0, diagonal = 0;
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
            {
                sum += a.Values[k];
                if (a.ColumnIndices[k] == r) diagonal = a.Values[k];
            }
            worst = Math.Max(worst, Math.Abs(sum) / diagonal);
        }
        return worst;
    }

    public static void AssertSamePattern(CsrMatrix expected, CsrMatrix actual)
    {
        Assert.Equal(expected.RowPointers, actual.RowPointers);
        Assert.Equal(expected.ColumnIndices, actual.ColumnIndices);
    }
}
