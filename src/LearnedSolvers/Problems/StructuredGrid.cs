using LearnedSolvers.Sparse;

namespace LearnedSolvers.Problems;

/// <summary>
/// The coefficients of one matrix row on a structured grid: the centre and its axis neighbours (5-point in 2D,
/// 7-point in 3D). Neighbours outside the grid hold Dirichlet boundary values, which are eliminated, so their
/// coefficients are never stored.
/// </summary>
internal struct StencilRow
{
    public double Down, South, West, Center, East, North, Up;
}

/// <summary>Gives the stencil of grid point (i, j, k); k is 0 in 2D. Implemented by structs so the JIT inlines it.</summary>
internal interface IGridStencil
{
    void Row(int i, int j, int k, ref StencilRow row);
}

/// <summary>
/// Assembles 5-point and 7-point stencils on an n^d grid straight into CSR arrays. Unknowns are numbered row-major,
/// index = i + n·j (+ n²·k), so the columns of a row come out sorted (down, south, west, centre, east, north, up)
/// and no triplet sort is needed: this is what makes a million-unknown Poisson matrix cheap.
/// </summary>
internal static class StructuredGrid
{
    /// <summary>Stored entries: every axis direction loses n^(d-1) neighbours at each of its two faces.</summary>
    public static long NonZeros(int n, int dimension) =>
        dimension == 2 ? 5L * n * n - 4L * n : 7L * n * n * n - 6L * n * n;

    /// <summary>
    /// Throws <see cref="ArgumentOutOfRangeException"/> naming <paramref name="paramName"/> unless n ≥ 1 and the
    /// matrix fits 32-bit CSR indices (unknowns and entries at most <see cref="Array.MaxLength"/>).
    /// </summary>
    public static void CheckSize(int n, int dimension, string paramName)
    {
        if (dimension is not (2 or 3))
            throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The grid dimension must be 2 or 3.");
        if (n <= 0)
            throw new ArgumentOutOfRangeException(paramName, n, "The grid needs at least one unknown per axis.");
        // Checked in double first: n^3 overflows long arithmetic long before it could matter here.
        double unknowns = Math.Pow(n, dimension);
        if (unknowns > Array.MaxLength || NonZeros(n, dimension) > Array.MaxLength)
            throw new ArgumentOutOfRangeException(paramName, n,
                $"An n^{dimension} grid with n = {n} has {unknowns:G4} unknowns and {(double)NonZeros(n, dimension):G4} matrix entries; CSR indices are 32-bit (at most {Array.MaxLength}).");
    }

    /// <summary>
    /// Builds the n^d x n^d matrix of <paramref name="stencil"/>. With a <paramref name="pattern"/> from an earlier call
    /// on the same grid only the values are computed and the pattern arrays are shared (<see cref="CsrMatrix.WithValues"/>).
    /// </summary>
    public static CsrMatrix Assemble<TStencil>(int n, int dimension, TStencil stencil, CsrMatrix? pattern = null)
        where TStencil : struct, IGridStencil
    {
        int plane = n * n;
        int layers = dimension == 3 ? n : 1;
        int size = plane * layers;
        int nnz = (int)NonZeros(n, dimension);
        if (pattern is not null && (pattern.Rows != size || pattern.NonZeros != nnz))
            throw new ArgumentException($"The pattern ({pattern}) does not belong to an n = {n} grid in {dimension}D.", nameof(pattern));

        var values = new double[nnz];
        int[]? rowPointers = pattern is null ? new int[size + 1] : null;
        int[]? columns = pattern is null ? new int[nnz] : null;
        int pos = 0, row = 0;
        var s = default(StencilRow);
        for (int k = 0; k < layers; k++)
        {
            for (int j = 0; j < n; j++)
            {
                for (int i = 0; i < n; i++, row++)
                {
                    stencil.Row(i, j, k, ref s);
                    if (k > 0) Put(values, columns, ref pos, row - plane, s.Down);
                    if (j > 0) Put(values, columns, ref pos, row - n, s.South);
                    if (i > 0) Put(values, columns, ref pos, row - 1, s.West);
                    Put(values, columns, ref pos, row, s.Center);
                    if (i < n - 1) Put(values, columns, ref pos, row + 1, s.East);
                    if (j < n - 1) Put(values, columns, ref pos, row + n, s.North);
                    if (k < layers - 1) Put(values, columns, ref pos, row + plane, s.Up);
                    if (rowPointers is not null) rowPointers[row + 1] = pos;
                }
            }
        }
        return pattern is null
            ? new CsrMatrix(size, size, rowPointers!, columns!, values)
            : pattern.WithValues(values);
    }

    private static void Put(double[] values, int[]? columns, ref int pos, int column, double value)
    {
        values[pos] = value;
        if (columns is not null) columns[pos] = column;
        pos++;
    }
}
