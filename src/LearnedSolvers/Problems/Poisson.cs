namespace LearnedSolvers.Problems;

/// <summary>
/// -Δu = f on the unit square (cube) with homogeneous Dirichlet boundary values, by the standard second-order
/// finite difference stencil on the n^d interior points of a uniform grid with h = 1/(n+1)
/// (LeVeque, Finite Difference Methods for ODEs and PDEs, 2007, Sec. 3.2).
/// </summary>
/// <remarks>
/// The matrix is the unscaled integer stencil (4, -1) in 2D and (6, -1) in 3D, i.e. h²·(-Δ_h), the usual benchmark
/// form: entries are exact in floating point and independent of n. The right-hand side is scaled to match,
/// b = h²·f with f = 1, so the solution approximates u itself. Unknowns are row-major, index = i + n·j (+ n²·k),
/// grid point ((i+1)h, (j+1)h (, (k+1)h)).
/// </remarks>
public static class Poisson
{
    /// <summary>The 5-point Laplacian on an n x n interior grid (n² unknowns, 5n² - 4n entries).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n ≤ 0, or n² or the entry count exceeds 32-bit CSR indices.</exception>
    public static LinearSystem TwoD(int n) => Build(n, 2, nameof(n));

    /// <summary>The 7-point Laplacian on an n x n x n interior grid (n³ unknowns, 7n³ - 6n² entries).</summary>
    /// <exception cref="ArgumentOutOfRangeException">n ≤ 0, or n³ or the entry count exceeds 32-bit CSR indices.</exception>
    public static LinearSystem ThreeD(int n) => Build(n, 3, nameof(n));

    /// <summary>
    /// Eigenvalue λ_p = Σ_a 4 sin²(p_a π h / 2) of the unscaled matrix for the mode p = (p_x, p_y(, p_z)), each p_a in 1..n;
    /// its eigenvector is Π_a sin(p_a π x_a) at the grid points. The smallest is p = (1, 1(, 1)), the largest p = (n, n(, n)).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">n ≤ 0, not 2 or 3 modes, or a mode outside 1..n.</exception>
    public static double Eigenvalue(int n, params ReadOnlySpan<int> modes)
    {
        if (n <= 0) throw new ArgumentOutOfRangeException(nameof(n), n, "The grid needs at least one unknown per axis.");
        if (modes.Length is not (2 or 3))
            throw new ArgumentOutOfRangeException(nameof(modes), modes.Length, "Give one mode per axis: 2 in 2D, 3 in 3D.");
        double h = 1.0 / (n + 1);
        double sum = 0;
        foreach (int p in modes)
        {
            if (p < 1 || p > n) throw new ArgumentOutOfRangeException(nameof(modes), p, $"Modes run from 1 to n = {n}.");
            double s = Math.Sin(p * Math.PI * h / 2);
            sum += 4 * s * s;
        }
        return sum;
    }

    private static LinearSystem Build(int n, int dimension, string paramName)
    {
        StructuredGrid.CheckSize(n, dimension, paramName);
        var matrix = StructuredGrid.Assemble(n, dimension, new LaplacianStencil(2 * dimension));
        double h = 1.0 / (n + 1);
        var b = new double[matrix.Rows];
        Array.Fill(b, h * h);
        string stencil = dimension == 2 ? "5-point (4, -1)" : "7-point (6, -1)";
        return new LinearSystem(matrix, b, $"Poisson {dimension}D, {stencil} unscaled, n = {n} ({matrix.Rows} unknowns), b = h^2 f, f = 1")
        {
            GridSize = n,
            Dimension = dimension,
        };
    }

    private readonly struct LaplacianStencil(double center) : IGridStencil
    {
        public void Row(int i, int j, int k, ref StencilRow row)
        {
            row.Down = row.South = row.West = row.East = row.North = row.Up = -1;
            row.Center = center;
        }
    }
}
