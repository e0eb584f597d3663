using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Recognizes a matrix read from a file as a 5-point (2D) or 7-point (3D) stencil on an n^d grid with row-major
/// unknowns, so geometric multigrid can run without the generator's metadata: every stored entry must sit at a
/// column offset 0, ±1, ±n (and ±n² in 3D), and ±1 must never wrap around a grid line.
/// </summary>
public static class StructuredGridDetector
{
    /// <summary>True when A is such a stencil; 2D is tried first (a size like 4096 = 64² = 16³ is decided by the offsets).</summary>
    public static bool TryDetect(CsrMatrix a, out int gridSize, out int dimension)
    {
        ArgumentNullException.ThrowIfNull(a);
        gridSize = dimension = 0;
        if (!a.IsSquare || a.Rows == 0) return false;
        foreach (int d in new[] { 2, 3 })
        {
            int n = (int)Math.Round(Math.Pow(a.Rows, 1.0 / d));
            if (n < 1 || Math.Pow(n, d) != a.Rows) continue;
            if (Fits(a, n, d))
            {
                gridSize = n;
                dimension = d;
                return true;
            }
        }
        return false;
    }

    private static bool Fits(CsrMatrix a, int n, int d)
    {
        long plane = (long)n * n;
        for (int i = 0; i < a.Rows; i++)
        {
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                long offset = Math.Abs((long)a.ColumnIndices[k] - i);
                int j = a.ColumnIndices[k];
                bool ok = offset == 0
                    || (offset == 1 && i / n == j / n)
                    || (offset == n && (d == 2 || i / plane == j / plane))
                    || (d == 3 && offset == plane);
                if (!ok) return false;
            }
        }
        return true;
    }
}
