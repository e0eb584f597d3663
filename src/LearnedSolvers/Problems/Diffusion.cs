using System.Globalization;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Problems;

/// <summary>
/// -div(k grad u) = f on the unit square (cube), u = 0 on the boundary, with a log-normal (or thresholded, two-valued)
/// random coefficient k = exp(φ): the ConDiff benchmark (Trifonov et al. 2024) and its 3D analogue.
/// </summary>
/// <remarks>
/// Discretization, as ConDiff's fd_mtx2: cell-centred 5-point (7-point in 3D) finite volumes on n^d cells, with k
/// given on the (n+1)^d cell vertices. The coefficient of a face is the mean of k over the vertices of that face
/// (2 in 2D, 4 in 3D); the flux through an interior face couples the two cells it separates, and a boundary face
/// couples its cell to a ghost value 0 at the same distance as an interior neighbour (ConDiff's convention, not a
/// half-cell distance). So row c reads s·(Σ_faces k_f u_c - Σ_interior faces k_f u_neighbour) = f_c with
/// s = (n+1)², i.e. h = 1/(n+1): k ≡ 1 gives exactly (n+1)² times <see cref="Poisson"/>'s unscaled matrix, and
/// the random field is sampled with vertex spacing h too. The matrix is symmetric (bitwise: both sides of a face
/// compute the same mean), has a positive diagonal, is weakly diagonally dominant with equality in interior rows
/// and strict dominance in rows touching the boundary, hence symmetric positive definite.
/// The right-hand side is b = f (the matrix carries the scaling): i.i.d. N(0, 1) per cell, or 1.
/// Unknowns and vertices are numbered row-major, x fastest: cell index i + n·j (+ n²·l), vertex p + (n+1)·q (+ (n+1)²·r).
/// </remarks>
public static class Diffusion
{
    /// <summary>Samples the coefficient field and right-hand side for <paramref name="options"/> and assembles the system.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option out of range (see <see cref="DiffusionOptions.Validate"/>).</exception>
    /// <exception cref="InvalidOperationException">Rejection sampling found no field in the contrast band within <see cref="DiffusionOptions.MaxAttempts"/> draws.</exception>
    public static LinearSystem Generate(DiffusionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var (fieldRandom, rhsRandom) = Streams(options.Seed);
        var field = CreateField(options);
        var phi = SampleLogField(options, field, fieldRandom, out int attempts);
        var k = CoefficientsFromLogField(options, phi);
        var matrix = Assemble(k, options.GridSize, options.Dimension, pattern: null);
        var b = SourceTerm.Create(options.RightHandSide, matrix.Rows, 1.0, rhsRandom);
        return new LinearSystem(matrix, b, Describe(options, k, attempts))
        {
            Coefficients = k,
            GridSize = options.GridSize,
            Dimension = options.Dimension,
        };
    }

    /// <summary>
    /// The finite volume matrix for a given vertex coefficient field k, (n+1)^d positive values in row-major order:
    /// for coefficients that come from elsewhere (a ConDiff file, a simulation) on the same discretization.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A bad grid size or dimension.</exception>
    /// <exception cref="ArgumentException">k has the wrong length, or a value that is not finite and positive.</exception>
    public static CsrMatrix Assemble(double[] vertexCoefficients, int gridSize, int dimension = 2)
    {
        ArgumentNullException.ThrowIfNull(vertexCoefficients);
        StructuredGrid.CheckSize(gridSize, dimension, nameof(gridSize));
        long expected = (long)Math.Pow(gridSize + 1, dimension);
        if (vertexCoefficients.Length != expected)
            throw new ArgumentException($"An n = {gridSize} grid in {dimension}D has {expected} vertices; {vertexCoefficients.Length} coefficients were given.", nameof(vertexCoefficients));
        for (int v = 0; v < vertexCoefficients.Length; v++)
        {
            double kv = vertexCoefficients[v];
            if (!(kv > 0) || double.IsInfinity(kv))
                throw new ArgumentException($"Coefficient {v} is {kv}; a diffusion coefficient must be finite and > 0.", nameof(vertexCoefficients));
        }
        return Assemble(vertexCoefficients, gridSize, dimension, pattern: null);
    }

    /// <summary>max k / min k: the contrast, ConDiff's measure of difficulty.</summary>
    public static double Contrast(ReadOnlySpan<double> coefficients)
    {
        if (coefficients.IsEmpty) throw new ArgumentException("No coefficients.", nameof(coefficients));
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double k in coefficients)
        {
            min = Math.Min(min, k);
            max = Math.Max(max, k);
        }
        return max / min;
    }

    internal static CsrMatrix Assemble(double[] k, int n, int dimension, CsrMatrix? pattern)
    {
        double scale = (double)(n + 1) * (n + 1);
        return dimension == 2
            ? StructuredGrid.Assemble(n, 2, new FiniteVolume2D(k, n + 1, scale), pattern)
            : StructuredGrid.Assemble(n, 3, new FiniteVolume3D(k, n + 1, scale), pattern);
    }

    /// <summary>Independent streams for the field and for f, so the choice of f never changes the field.</summary>
    internal static (Random Field, Random RightHandSide) Streams(int seed)
    {
        var master = new Random(seed);
        return (new Random(master.Next()), new Random(master.Next()));
    }

    /// <summary>φ on the (n+1)^d vertices with spacing h = 1/(n+1), the same h the matrix scaling uses.</summary>
    internal static GaussianRandomField CreateField(DiffusionOptions o) =>
        new(o.GridSize + 1, o.Dimension, o.Covariance, o.CorrelationLength, o.Variance, spacing: 1.0 / (o.GridSize + 1));

    /// <summary>One raw sample of φ; with a contrast band, the first of the drawn fields that lies in it.</summary>
    internal static double[] SampleLogField(DiffusionOptions o, GaussianRandomField field, Random random, out int attempts)
    {
        if (o.ContrastBand is not ContrastBand band)
        {
            attempts = 1;
            return field.Sample(random);
        }
        attempts = 0;
        while (attempts < o.MaxAttempts)
        {
            var (first, second) = field.SamplePair(random);
            attempts++;
            if (band.Contains(ContrastOfLogField(first))) return first;
            if (attempts == o.MaxAttempts) break;
            attempts++;
            if (band.Contains(ContrastOfLogField(second))) return second;
        }
        throw new InvalidOperationException(
            $"No field in {o.MaxAttempts} draws had a contrast in {band} (variance {o.Variance}, correlation length {o.CorrelationLength}, {o.Covariance}); choose a variance that makes the band likely, or use a target contrast.");
    }

    /// <summary>k from φ: exp(φ), exp(s·φ) with s set for the target contrast, or the two-valued threshold field.</summary>
    internal static double[] CoefficientsFromLogField(DiffusionOptions o, double[] phi)
    {
        var k = new double[phi.Length];
        (double min, double max) = MinMax(phi);
        if (o.Discontinuous)
        {
            double contrast = o.TargetContrast!.Value;
            var sorted = (double[])phi.Clone();
            Array.Sort(sorted);
            double threshold = sorted[(int)(o.ThresholdQuantile * (sorted.Length - 1))];
            // Values 1 and C exactly, so max k / min k = C with no rounding.
            for (int v = 0; v < k.Length; v++) k[v] = phi[v] < threshold ? 1.0 : contrast;
            return k;
        }
        double s = 1;
        if (o.TargetContrast is double target)
            s = max > min ? Math.Log(target) / (max - min) : 0;
        for (int v = 0; v < k.Length; v++) k[v] = Math.Exp(s * phi[v]);
        return k;
    }

    internal static string Describe(DiffusionOptions o, double[] k, int attempts, string? suffix = null)
    {
        var c = CultureInfo.InvariantCulture;
        string control = o switch
        {
            { Discontinuous: true } => string.Create(c, $"two-valued (1, {o.TargetContrast:G4}) at quantile {o.ThresholdQuantile}"),
            { TargetContrast: double t } => string.Create(c, $"rescaled to contrast {t:G4}"),
            { ContrastBand: ContrastBand band } => string.Create(c, $"contrast band {band}, accepted draw {attempts}"),
            _ => "k = exp(phi)",
        };
        return string.Create(c,
            $"Diffusion {o.Dimension}D, cell-centred FV, n = {o.GridSize} ({o.Unknowns} unknowns), {o.Covariance} covariance l = {o.CorrelationLength}, variance {o.Variance}, {control}, measured contrast {Contrast(k):G4}, f {o.RightHandSide}, seed {o.Seed}{suffix}");
    }

    private static double ContrastOfLogField(double[] phi)
    {
        (double min, double max) = MinMax(phi);
        return Math.Exp(max - min);
    }

    private static (double Min, double Max) MinMax(double[] values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            min = Math.Min(min, v);
            max = Math.Max(max, v);
        }
        return (min, max);
    }

    /// <summary>2D: face coefficients are the means of k over the two vertices of each cell face.</summary>
    private readonly struct FiniteVolume2D(double[] k, int m, double scale) : IGridStencil
    {
        public void Row(int i, int j, int l, ref StencilRow row)
        {
            int v = i + m * j; // lower-left vertex of cell (i, j)
            double sw = k[v], se = k[v + 1], nw = k[v + m], ne = k[v + m + 1];
            double west = 0.5 * (sw + nw), east = 0.5 * (se + ne);
            double south = 0.5 * (sw + se), north = 0.5 * (nw + ne);
            row.West = -scale * west;
            row.East = -scale * east;
            row.South = -scale * south;
            row.North = -scale * north;
            row.Center = scale * (west + east + (south + north));
        }
    }

    /// <summary>3D: face coefficients are the means of k over the four vertices of each cell face.</summary>
    private readonly struct FiniteVolume3D(double[] k, int m, double scale) : IGridStencil
    {
        public void Row(int i, int j, int l, ref StencilRow row)
        {
            int mm = m * m;
            int v = i + m * j + mm * l; // vertex (i, j, l) of cell (i, j, l)
            double k000 = k[v], k100 = k[v + 1], k010 = k[v + m], k110 = k[v + m + 1];
            double k001 = k[v + mm], k101 = k[v + mm + 1], k011 = k[v + mm + m], k111 = k[v + mm + m + 1];
            double west = 0.25 * (k000 + k010 + k001 + k011), east = 0.25 * (k100 + k110 + k101 + k111);
            double south = 0.25 * (k000 + k100 + k001 + k101), north = 0.25 * (k010 + k110 + k011 + k111);
            double down = 0.25 * (k000 + k100 + k010 + k110), up = 0.25 * (k001 + k101 + k011 + k111);
            row.West = -scale * west;
            row.East = -scale * east;
            row.South = -scale * south;
            row.North = -scale * north;
            row.Down = -scale * down;
            row.Up = -scale * up;
            row.Center = scale * (west + east + (south + north) + (down + up));
        }
    }
}
