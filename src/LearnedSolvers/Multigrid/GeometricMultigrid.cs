using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Geometric multigrid for the structured n^d grids of the Poisson and diffusion generators (unknowns row-major,
/// x fastest). Standard coarsening keeps every second point per axis (fine indices 1, 3, 5, … become the n/2 coarse
/// points), prolongation is d-linear interpolation (the tensor product of the 1D stencil [½ 1 ½]), restriction is
/// its transpose (full weighting up to the factor 2^d, which the Galerkin product absorbs), and coarse operators are
/// Galerkin products Pᵀ A P, so variable and discontinuous coefficients need nothing special
/// (Trottenberg, Oosterlee and Schüller, Multigrid, §2.3 and §7.7).
/// </summary>
public static class GeometricMultigrid
{
    /// <summary>The hierarchy for a generated system (its <see cref="LinearSystem.GridSize"/> and <see cref="LinearSystem.Dimension"/> give the grid).</summary>
    public static MultigridHierarchy Build(LinearSystem system, MultigridOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        if (system.GridSize <= 0 || system.Dimension is not (2 or 3))
            throw new ArgumentException($"Geometric multigrid needs a structured 2D or 3D grid; '{system.Description}' has none: use SmoothedAggregationAmg.", nameof(system));
        return Build(system.Matrix, system.GridSize, system.Dimension, options, device);
    }

    /// <summary>The hierarchy for a matrix recognized as a 5- or 7-point stencil on a square or cubic grid (<see cref="StructuredGridDetector"/>).</summary>
    /// <exception cref="ArgumentException">The matrix is not such a stencil.</exception>
    public static MultigridHierarchy Build(CsrMatrix a, MultigridOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!StructuredGridDetector.TryDetect(a, out int n, out int dimension))
            throw new ArgumentException($"The {a.Rows} x {a.Columns} matrix is not a 5-point or 7-point stencil on a square or cubic grid, which geometric multigrid needs: use AMG.", nameof(a));
        return Build(a, n, dimension, options, device);
    }

    /// <summary>
    /// The hierarchy for a matrix already on its device, recognized as a 5- or 7-point stencil on a square or cubic
    /// grid: the finest level uses <paramref name="a"/> itself (no second copy of A), and the caller keeps ownership of it.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not such a stencil.</exception>
    public static MultigridHierarchy Build(DeviceCsrMatrix a, MultigridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!StructuredGridDetector.TryDetect(a.Host, out int n, out int dimension))
            throw new ArgumentException($"The {a.Rows} x {a.Columns} matrix is not a 5-point or 7-point stencil on a square or cubic grid, which geometric multigrid needs: use AMG.", nameof(a));
        return Build(a.Host, n, dimension, options, a.Device, a);
    }

    /// <summary>The hierarchy for a matrix on an n^d grid (n = <paramref name="gridSize"/>, d = <paramref name="dimension"/>, unknowns row-major).</summary>
    public static MultigridHierarchy Build(CsrMatrix a, int gridSize, int dimension, MultigridOptions? options = null, Device? device = null) =>
        Build(a, gridSize, dimension, options, device, uploaded: null);

    private static MultigridHierarchy Build(CsrMatrix a, int gridSize, int dimension, MultigridOptions? options, Device? device, DeviceCsrMatrix? uploaded)
    {
        ArgumentNullException.ThrowIfNull(a);
        options ??= new MultigridOptions();
        options.Validate();
        if (dimension is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(dimension), dimension, "The grid must be 2D or 3D.");
        if (gridSize < 1 || Math.Pow(gridSize, dimension) != a.Rows || !a.IsSquare)
            throw new ArgumentException($"A {a.Rows} x {a.Columns} matrix is not an operator on a {gridSize}^{dimension} grid.", nameof(a));
        var clock = Stopwatch.StartNew();
        var matrices = new List<CsrMatrix> { a };
        var prolongations = new List<CsrMatrix>();
        int n = gridSize;
        while (matrices.Count < options.MaxLevels && matrices[^1].Rows > options.CoarseSize && n >= 3)
        {
            var p = Prolongation(n, dimension);
            prolongations.Add(p);
            matrices.Add(SparseProduct.Galerkin(matrices[^1], p));
            n /= 2;
        }
        return new MultigridHierarchy(matrices, prolongations, options, device ?? Device.Cpu, "geometric", clock.Elapsed, uploaded);
    }

    /// <summary>d-linear interpolation from the (n/2)^d coarse grid to the n^d fine grid.</summary>
    public static CsrMatrix Prolongation(int n, int dimension)
    {
        int coarse = n / 2;
        // 1D: fine i odd sits on coarse (i−1)/2; fine i even lies between coarse i/2 − 1 and i/2 (weight ½ each,
        // the missing neighbour beyond the boundary carries the Dirichlet value zero).
        var cols = new int[n][];
        var weights = new double[n][];
        for (int i = 0; i < n; i++)
        {
            if (i % 2 == 1)
            {
                cols[i] = [(i - 1) / 2];
                weights[i] = [1.0];
                continue;
            }
            var c = new List<int>(2);
            if (i >= 2) c.Add(i / 2 - 1);
            if (i / 2 < coarse) c.Add(i / 2);
            cols[i] = c.ToArray();
            weights[i] = c.Select(_ => 0.5).ToArray();
        }
        int fineRows = dimension == 2 ? n * n : n * n * n;
        int coarseRows = dimension == 2 ? coarse * coarse : coarse * coarse * coarse;
        var rowPointers = new int[fineRows + 1];
        var columns = new List<int>(fineRows * (1 << dimension));
        var values = new List<double>(fineRows * (1 << dimension));
        int nz = dimension == 3 ? n : 1;
        int row = 0;
        for (int k = 0; k < nz; k++)
            for (int j = 0; j < n; j++)
                for (int i = 0; i < n; i++)
                {
                    int[] kc = dimension == 3 ? cols[k] : [0];
                    double[] kw = dimension == 3 ? weights[k] : [1.0];
                    for (int a = 0; a < kc.Length; a++)
                        for (int b = 0; b < cols[j].Length; b++)
                            for (int c = 0; c < cols[i].Length; c++)
                            {
                                columns.Add(cols[i][c] + coarse * (cols[j][b] + coarse * kc[a]));
                                values.Add(kw[a] * weights[j][b] * weights[i][c]);
                            }
                    rowPointers[++row] = columns.Count;
                }
        return CsrMatrix.Trusted(fineRows, coarseRows, rowPointers, columns.ToArray(), values.ToArray());
    }
}
