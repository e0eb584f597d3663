using System.Runtime.CompilerServices;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Sparse triangular solves on CSR rows that hold a diagonal entry at a known position: the part of each row
/// before the diagonal is the strictly lower triangle, the part after it the strictly upper one. One routine
/// serves ILU(0) (unit L), IC(0) (L and Lᵀ) and SSOR (D + ωL, D + ωU). Serial: each row needs the rows before it.
/// </summary>
internal static class TriangularSweeps
{
    /// <summary>
    /// Solves (D + ω L) y = r row by row from the top, where L is the strictly lower part of the rows and D the
    /// diagonal given as its inverse (null: unit diagonal). y may alias r.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Forward(int[] rowPointers, int[] columns, double[] values, int[] diagonal, double[]? inverseDiagonal,
        double omega, ReadOnlySpan<double> r, Span<double> y)
    {
        int n = diagonal.Length;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = rowPointers[i]; k < diagonal[i]; k++) s += values[k] * y[columns[k]];
            double v = r[i] - omega * s;
            y[i] = inverseDiagonal is null ? v : v * inverseDiagonal[i];
        }
    }

    /// <summary>
    /// Solves (D + ω U) z = y row by row from the bottom, where U is the strictly upper part of the rows.
    /// z may alias y.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Backward(int[] rowPointers, int[] columns, double[] values, int[] diagonal, double[]? inverseDiagonal,
        double omega, ReadOnlySpan<double> y, Span<double> z)
    {
        for (int i = diagonal.Length - 1; i >= 0; i--)
        {
            double s = 0;
            for (int k = diagonal[i] + 1; k < rowPointers[i + 1]; k++) s += values[k] * z[columns[k]];
            double v = y[i] - omega * s;
            z[i] = inverseDiagonal is null ? v : v * inverseDiagonal[i];
        }
    }

    /// <summary>Position of each row's diagonal entry; a row without one has a zero pivot.</summary>
    public static int[] DiagonalPositions(Sparse.CsrMatrix a, string preconditioner)
    {
        var d = new int[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        {
            d[i] = a.IndexOf(i, i);
            if (d[i] < 0) throw new ZeroPivotException(preconditioner, i, 0);
        }
        return d;
    }
}
