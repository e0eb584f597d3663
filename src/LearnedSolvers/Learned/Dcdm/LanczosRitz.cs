using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// Ritz pairs of a symmetric matrix from m steps of Lanczos (Golub and Van Loan, Matrix Computations, 4th ed., Sec. 10.1)
/// with full reorthogonalization: A V = V T + β_m q_{m+1} e_mᵀ with V = [q_1 … q_m] orthonormal and T tridiagonal;
/// T = Y Θ Yᵀ gives the Ritz values Θ and the Ritz vectors V Y, in ascending order. The extreme eigenvalues converge
/// first, so the low end of the spectrum, which DCDM trains on, is resolved after few steps.
/// </summary>
/// <remarks>
/// Every new Lanczos vector is projected twice against all earlier ones (classical Gram–Schmidt, "twice is enough"), so
/// V stays orthonormal to rounding and no spurious copies of converged Ritz values appear. If the Krylov space becomes
/// invariant (β_j below 1e-10 ‖A‖, as with repeated eigenvalues, where one start vector reaches one vector of each
/// eigenspace), the process continues from a fresh random vector orthogonal to V and T gets a zero off-diagonal entry:
/// V then still spans m dimensions and A V = V T still holds, so m = n gives every eigenvalue with its multiplicity.
/// <para>
/// Cost: m products with A (m·nnz), about 4·n·m² flops for the reorthogonalization and 2·n·m² for the Ritz vectors,
/// O(m³) for the dense symmetric eigensolve of T (MathNet.Numerics); memory 2·n·m doubles (V and the Ritz vectors).
/// For n = 128² and m = 300 that is about 3·10⁹ flops and 80 MB.
/// </para>
/// </remarks>
public sealed class LanczosRitz
{
    /// <summary>β_j at or below this fraction of ‖A‖ (bounded by the largest absolute row sum) marks an invariant Krylov space.</summary>
    public const double BreakdownTolerance = 1e-10;

    private LanczosRitz(double[] values, double[][] vectors, double[] residualNorms, int restarts)
    {
        Values = values;
        Vectors = vectors;
        ResidualNorms = residualNorms;
        Restarts = restarts;
    }

    /// <summary>Ritz values θ_1 ≤ θ_2 ≤ … ≤ θ_m.</summary>
    public double[] Values { get; }

    /// <summary>Unit Ritz vectors (length n), Vectors[i] belonging to Values[i]; mutually orthonormal to rounding.</summary>
    public double[][] Vectors { get; }

    /// <summary>
    /// β_m·|y_{m,i}|: ‖A v_i − θ_i v_i‖ in exact arithmetic, and to rounding with full reorthogonalization. A Ritz pair
    /// has converged when this is small relative to ‖A‖.
    /// </summary>
    public double[] ResidualNorms { get; }

    /// <summary>Number of steps: the count of Ritz pairs.</summary>
    public int Steps => Values.Length;

    /// <summary>How many times the Krylov space became invariant and the process went on from a fresh random vector.</summary>
    public int Restarts { get; }

    /// <summary>Runs <paramref name="steps"/> Lanczos steps on <paramref name="a"/> from a random start drawn with <paramref name="seed"/>.</summary>
    /// <param name="a">A symmetric matrix (checked to a relative 1e-12).</param>
    /// <param name="steps">m, from 1 to n.</param>
    /// <param name="seed">Seeds the start vector (and any restart vectors): the same seed gives the same bits.</param>
    /// <exception cref="ArgumentException">A is not square or not symmetric, or steps is outside 1..n.</exception>
    public static LanczosRitz Compute(CsrMatrix a, int steps, int seed)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"Lanczos needs a square matrix; A is {a.Rows} x {a.Columns}.", nameof(a));
        int n = a.Rows;
        if (n == 0) throw new ArgumentException("A is empty (0 x 0).", nameof(a));
        if (steps < 1 || steps > n)
            throw new ArgumentException($"Lanczos steps must be between 1 and n = {n} (the Krylov space has at most n dimensions); {steps} were asked.", nameof(steps));
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException("Lanczos needs a symmetric matrix; A is not symmetric.", nameof(a));

        var random = new Random(seed);
        double breakdown = BreakdownTolerance * AbsoluteRowSumBound(a);
        var basis = new double[steps][];
        var alpha = new double[steps];
        var beta = new double[steps]; // beta[j] couples q_j and q_{j+1}; the last one is β_m
        var w = new double[n];
        var coefficients = new double[steps];
        int restarts = 0;

        basis[0] = RandomUnitVector(random, n, basis, 0, coefficients);
        for (int j = 0; j < steps; j++)
        {
            var q = basis[j];
            a.Multiply(q, w);
            alpha[j] = Dot(q, w);
            // The three-term recurrence first, then the full projection cleans up what rounding left.
            for (int i = 0; i < n; i++) w[i] -= alpha[j] * q[i];
            if (j > 0 && beta[j - 1] != 0)
            {
                var previous = basis[j - 1];
                for (int i = 0; i < n; i++) w[i] -= beta[j - 1] * previous[i];
            }
            Orthogonalize(w, basis, j + 1, coefficients);
            Orthogonalize(w, basis, j + 1, coefficients);
            double norm = Math.Sqrt(Dot(w, w));
            beta[j] = norm;
            if (j == steps - 1) break;

            if (norm <= breakdown)
            {
                beta[j] = 0;
                restarts++;
                basis[j + 1] = RandomUnitVector(random, n, basis, j + 1, coefficients);
            }
            else
            {
                var next = new double[n];
                double scale = 1 / norm;
                for (int i = 0; i < n; i++) next[i] = w[i] * scale;
                basis[j + 1] = next;
            }
        }

        var (values, y) = TridiagonalEigenpairs(alpha, beta, steps);
        var vectors = new double[steps][];
        var residuals = new double[steps];
        Parallel.For(0, steps, k =>
        {
            var v = new double[n];
            for (int j = 0; j < steps; j++)
            {
                double c = y[j, k];
                var qj = basis[j];
                for (int i = 0; i < n; i++) v[i] += c * qj[i];
            }
            vectors[k] = v;
            residuals[k] = beta[steps - 1] * Math.Abs(y[steps - 1, k]);
        });
        return new LanczosRitz(values, vectors, residuals, restarts);
    }

    /// <summary>Eigenvalues of the symmetric tridiagonal T (ascending) and its eigenvectors as columns of Y.</summary>
    private static (double[] Values, double[,] Y) TridiagonalEigenpairs(double[] alpha, double[] beta, int m)
    {
        var t = Matrix<double>.Build.Dense(m, m);
        for (int j = 0; j < m; j++)
        {
            t[j, j] = alpha[j];
            if (j + 1 < m) t[j, j + 1] = t[j + 1, j] = beta[j];
        }
        var evd = t.Evd(Symmetricity.Symmetric);
        var order = Enumerable.Range(0, m).OrderBy(k => evd.EigenValues[k].Real).ThenBy(k => k).ToArray();
        var values = new double[m];
        var y = new double[m, m];
        for (int k = 0; k < m; k++)
        {
            values[k] = evd.EigenValues[order[k]].Real;
            for (int j = 0; j < m; j++) y[j, k] = evd.EigenVectors[j, order[k]];
        }
        return (values, y);
    }

    /// <summary>A N(0, 1) vector made orthogonal to the first <paramref name="count"/> basis vectors and normalized.</summary>
    private static double[] RandomUnitVector(Random random, int n, double[][] basis, int count, double[] coefficients)
    {
        var v = new double[n];
        StandardNormal.Fill(random, v);
        Orthogonalize(v, basis, count, coefficients);
        Orthogonalize(v, basis, count, coefficients);
        // count < n here, so a random vector keeps a component outside the span with probability 1.
        double scale = 1 / Math.Sqrt(Dot(v, v));
        for (int i = 0; i < n; i++) v[i] *= scale;
        return v;
    }

    /// <summary>
    /// One classical Gram–Schmidt pass: w ← w − Σ (q_k·w) q_k over the first <paramref name="count"/> basis vectors.
    /// The dots run in parallel over k and the update in parallel over blocks of entries, each sum in a fixed order, so
    /// the result does not depend on the thread count.
    /// </summary>
    private static void Orthogonalize(double[] w, double[][] basis, int count, double[] coefficients)
    {
        int n = w.Length;
        bool parallel = (long)n * count >= 1 << 16;
        if (parallel) Parallel.For(0, count, k => coefficients[k] = Dot(basis[k], w));
        else for (int k = 0; k < count; k++) coefficients[k] = Dot(basis[k], w);

        const int block = 4096;
        int blocks = (n + block - 1) / block;
        void Update(int b)
        {
            int start = b * block, end = Math.Min(n, start + block);
            for (int k = 0; k < count; k++)
            {
                double c = coefficients[k];
                var q = basis[k];
                for (int i = start; i < end; i++) w[i] -= c * q[i];
            }
        }
        if (parallel && blocks > 1) Parallel.For(0, blocks, Update);
        else for (int b = 0; b < blocks; b++) Update(b);
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>max_i Σ_j |a_ij| ≥ ‖A‖₂: the scale of the breakdown test.</summary>
    private static double AbsoluteRowSumBound(CsrMatrix a)
    {
        double bound = 0;
        for (int r = 0; r < a.Rows; r++)
        {
            double s = 0;
            for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++) s += Math.Abs(a.Values[k]);
            bound = Math.Max(bound, s);
        }
        return bound;
    }
}
