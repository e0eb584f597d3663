using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// FSAI, the factorized sparse approximate inverse of an SPD matrix (Kolotilina and Yeremin, "Factorized sparse
/// approximate inverse preconditionings I. Theory", SIAM J. Matrix Anal. Appl. 14 (1993) 45–58): M = Gᵀ G ≈ A⁻¹ with
/// G lower triangular on a chosen pattern, here the lower triangle of A's pattern or of A², A³ (<see cref="LowerPattern"/>).
/// Row i of G, on its pattern P_i (columns j ≤ i, i included), solves the small dense SPD system A[P_i, P_i] y = e_i and
/// is scaled g_i = y / √y_i, so that (G A)_ij = 0 for j ∈ P_i, j &lt; i, and (G A Gᵀ)_ii = 1: G minimizes the Frobenius
/// distance ‖I − G L‖ to the inverse of A's exact Cholesky factor L on that pattern, without forming L.
/// The rows are independent, so the setup runs in parallel over the CPU; the application is two SpMVs on any device
/// (<see cref="SparseInverseFactorPreconditioner"/>), with no triangular solves.
/// </summary>
public sealed class FactorizedSparseInverse : IRefreshablePreconditioner, IDisposable
{
    /// <summary>The name in error messages.</summary>
    internal const string Name = "FSAI";

    /// <summary>The largest power of A whose pattern G may take: the rows' dense systems grow as the square of the pattern's reach.</summary>
    public const int MaxPower = 3;

    private const int RowsPerBlock = 256;

    private readonly CsrMatrix _pattern;
    private readonly SparseInverseFactorPreconditioner _application;

    /// <param name="a">An SPD matrix (symmetric; positive diagonal).</param>
    /// <param name="power">G takes the lower triangle of A^power's pattern, 1 to <see cref="MaxPower"/>.</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <exception cref="ArgumentException">A is not square or not symmetric.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="power"/> is outside 1 to <see cref="MaxPower"/>.</exception>
    /// <exception cref="ZeroPivotException">A row's dense system met a non-positive pivot (A is not positive definite).</exception>
    public FactorizedSparseInverse(CsrMatrix a, int power = 1, Device? device = null)
    {
        Factor = Compute(a, power);
        _pattern = a;
        Power = power;
        Rows = Columns = a.Rows;
        _application = new SparseInverseFactorPreconditioner(Factor, device);
    }

    /// <summary>G: M = Gᵀ G.</summary>
    public SparseInverseFactor Factor { get; }

    /// <summary>G's pattern is the lower triangle of A^Power's.</summary>
    public int Power { get; }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device => _application.Device;
    public bool IsLinear => true;
    public bool IsSymmetric => true;

    /// <summary>Recomputes G for new values of A on the same pattern into the same host and device memory.</summary>
    /// <exception cref="ZeroPivotException">A row's dense system met a non-positive pivot.</exception>
    public void UpdateValues(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_pattern)) throw new ArgumentException("The matrix does not have the pattern this FSAI was built for.", nameof(a));
        ComputeValues(a, Factor.G);
        _application.UpdateValues();
    }

    /// <summary>z = Gᵀ G r on <see cref="Device"/>.</summary>
    public void Apply(DeviceVector x, DeviceVector y) => _application.Apply(x, y);

    /// <summary>Frees the device copies of G and Gᵀ.</summary>
    public void Dispose() => _application.Dispose();

    /// <summary>The classical FSAI factor of <paramref name="a"/> on the lower pattern of A^<paramref name="power"/>.</summary>
    /// <inheritdoc cref="FactorizedSparseInverse(CsrMatrix, int, Device?)" path="/param[@name='a']"/>
    /// <inheritdoc cref="FactorizedSparseInverse(CsrMatrix, int, Device?)" path="/param[@name='power']"/>
    /// <inheritdoc cref="FactorizedSparseInverse(CsrMatrix, int, Device?)" path="/exception"/>
    public static SparseInverseFactor Compute(CsrMatrix a, int power = 1)
    {
        CheckPower(power, nameof(power));
        CheckSpd(a);
        var g = LowerPattern(a, power);
        ComputeValues(a, g);
        return new SparseInverseFactor(g);
    }

    /// <summary>
    /// The lower triangle of A^<paramref name="power"/>'s pattern with every diagonal entry (the columns j ≤ i reachable
    /// from i in at most <paramref name="power"/> steps of A's graph), values zero: the pattern classical FSAI fills, and
    /// the one a learned factor predicts values for.
    /// </summary>
    /// <exception cref="ArgumentException">A is not square.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="power"/> is outside 1 to <see cref="MaxPower"/>.</exception>
    public static CsrMatrix LowerPattern(CsrMatrix a, int power)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"{Name} needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        CheckPower(power, nameof(power));
        // The diagonal added before multiplying keeps every shorter path (A's own diagonal may be absent).
        var reach = WithDiagonal(a);
        var product = reach;
        for (int p = 2; p <= power; p++) product = SparseProduct.Multiply(product, reach);
        int n = a.Rows;
        var rows = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int count = 0;
            for (int k = product.RowPointers[i]; k < product.RowPointers[i + 1] && product.ColumnIndices[k] <= i; k++) count++;
            rows[i + 1] = rows[i] + count;
        }
        var columns = new int[rows[n]];
        for (int i = 0; i < n; i++) Array.Copy(product.ColumnIndices, product.RowPointers[i], columns, rows[i], rows[i + 1] - rows[i]);
        return CsrMatrix.Trusted(n, n, rows, columns, new double[rows[n]]);
    }

    internal static int CheckPower(int power, string argument)
    {
        if (power < 1 || power > MaxPower)
            throw new ArgumentOutOfRangeException(argument, power, $"The FSAI pattern power must be 1 to {MaxPower} (the lower triangle of A, A² or A³).");
        return power;
    }

    private static void CheckSpd(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"{Name} needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException($"{Name} needs a symmetric positive definite matrix; this one is not symmetric.", nameof(a));
    }

    /// <summary>A's pattern with ones everywhere and every diagonal entry present: only the pattern matters for reach.</summary>
    private static CsrMatrix WithDiagonal(CsrMatrix a)
    {
        int n = a.Rows;
        var rows = new int[n + 1];
        for (int i = 0; i < n; i++) rows[i + 1] = rows[i] + a.RowPointers[i + 1] - a.RowPointers[i] + (a.IndexOf(i, i) < 0 ? 1 : 0);
        var columns = new int[rows[n]];
        for (int i = 0; i < n; i++)
        {
            int at = rows[i];
            bool placed = false;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                if (!placed && j >= i)
                {
                    if (j > i) columns[at++] = i;
                    placed = true;
                }
                columns[at++] = j;
            }
            if (!placed) columns[at] = i;
        }
        var ones = new double[rows[n]];
        Array.Fill(ones, 1.0);
        return CsrMatrix.Trusted(n, n, rows, columns, ones);
    }

    /// <summary>
    /// Fills G's values on its pattern (diagonal last in each row) from A, rows in parallel. Each worker owns its
    /// workspace (a column → position map of A's width and one dense system of the longest row), so the row loop
    /// allocates nothing; the failing row reported is the lowest one, whichever worker met it.
    /// </summary>
    private static void ComputeValues(CsrMatrix a, CsrMatrix g)
    {
        int n = g.Rows, longest = 0;
        for (int i = 0; i < n; i++) longest = Math.Max(longest, g.RowPointers[i + 1] - g.RowPointers[i]);
        int blocks = (n + RowsPerBlock - 1) / RowsPerBlock;
        int workers = Math.Max(1, Math.Min(Environment.ProcessorCount, blocks));
        var failures = new (int Row, double Pivot)[workers];
        Parallel.For(0, workers, worker =>
        {
            var position = new int[n];
            Array.Fill(position, -1);
            var dense = new double[longest * longest];
            failures[worker] = (int.MaxValue, 0);
            for (int block = worker; block < blocks; block += workers)
            for (int i = block * RowsPerBlock, end = Math.Min(n, i + RowsPerBlock); i < end; i++)
            {
                if (!ComputeRow(a, g, i, position, dense, out double pivot))
                {
                    failures[worker] = (i, pivot);
                    return; // later rows of this worker cannot be lower
                }
            }
        });
        var first = failures.MinBy(f => f.Row);
        if (first.Row != int.MaxValue) throw new ZeroPivotException(Name, first.Row, first.Pivot);
    }

    /// <summary>
    /// Row i of G: with A[P, P] = L Lᵀ (dense Cholesky, lower triangle of A[P, P] only), y = A[P, P]⁻¹ e_m = L⁻ᵀ L⁻¹ e_m
    /// and L⁻¹ e_m = e_m / l_mm because i is P's last column, so g = y / √y_m = L⁻ᵀ e_m: one back substitution.
    /// </summary>
    private static bool ComputeRow(CsrMatrix a, CsrMatrix g, int i, int[] position, double[] dense, out double pivot)
    {
        int start = g.RowPointers[i], m = g.RowPointers[i + 1] - start;
        var pattern = g.ColumnIndices.AsSpan(start, m);
        var values = g.Values.AsSpan(start, m);
        for (int r = 0; r < m; r++) position[pattern[r]] = r;
        var l = dense.AsSpan(0, m * m);
        l.Clear();
        for (int r = 0; r < m; r++)
        {
            int row = pattern[r];
            for (int k = a.RowPointers[row]; k < a.RowPointers[row + 1]; k++)
            {
                int c = a.ColumnIndices[k];
                if (c > row) break;
                int at = position[c];
                if (at >= 0) l[r * m + at] = a.Values[k];
            }
        }
        for (int r = 0; r < m; r++) position[pattern[r]] = -1;

        // Row-oriented Cholesky in place: l[r, c] for c ≤ r.
        for (int r = 0; r < m; r++)
        {
            var lr = l.Slice(r * m, r + 1);
            for (int c = 0; c < r; c++)
            {
                var lc = l.Slice(c * m, c);
                double s = lr[c];
                for (int k = 0; k < c; k++) s -= lr[k] * lc[k];
                lr[c] = s / l[c * m + c];
            }
            double d = lr[r];
            for (int k = 0; k < r; k++) d -= lr[k] * lr[k];
            if (!(d > 0) || double.IsInfinity(d))
            {
                pivot = d;
                return false;
            }
            lr[r] = Math.Sqrt(d);
        }

        // Lᵀ g = e_m by back substitution, reading L by columns.
        for (int r = m - 1; r >= 0; r--)
        {
            double s = r == m - 1 ? 1 : 0;
            for (int k = r + 1; k < m; k++) s -= l[k * m + r] * values[k];
            values[r] = s / l[r * m + r];
        }
        pivot = 0;
        return true;
    }
}
