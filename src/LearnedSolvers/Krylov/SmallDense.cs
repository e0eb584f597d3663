using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace LearnedSolvers.Krylov;

/// <summary>
/// The small host problems at the end of a GCRO-DR cycle (size ≤ m+1): the harmonic Ritz eigenproblem, a thin QR and
/// a triangular solve from the right. Matrices are column-major spans with an explicit leading dimension, as the
/// solver keeps them. QR is our own Householder code; the nonsymmetric eigensolve is MathNet.Numerics' managed dense
/// Evd (Hessenberg reduction and shifted QR). Both allocate a few m x m arrays per call: once per restart cycle, never
/// inside the Arnoldi loop. (MathNet's own QR was measured at about 1.5 ms per 41 x 40 solve, a third of a cycle's
/// time at n = 1024; the Householder code here is a small fraction of that.)
/// </summary>
internal static class SmallDense
{
    /// <summary>A diagonal entry of R at most this fraction of the largest one marks a rank-deficient column set.</summary>
    private const double RankTolerance = 1e-12;

    /// <summary>
    /// Solves the harmonic Ritz problem Gᵀ G z = θ Gᵀ W z (Parks et al. 2006, eq. 2.13; W = V̂ᵀ Ŵ) for G and W of
    /// <paramref name="rows"/> x <paramref name="cols"/> (G of full column rank) and writes the vectors of the smallest
    /// |θ| into the columns of <paramref name="p"/> (leading dimension <paramref name="ldp"/>, unit norm). Returns how many.
    /// </summary>
    /// <remarks>
    /// The generalized problem is reduced to a standard one: with G = Q R, (GᵀG)⁻¹Gᵀ W = G⁺W and G⁺W z = μ z with
    /// μ = 1/θ, so the smallest |θ| are the largest |μ| (θ = ∞ ⇔ μ = 0 is harmless). G⁺ comes from a least-squares solve
    /// by Householder QR, never from the normal equations. The arithmetic is real: a complex pair μ, μ̄ contributes the
    /// real and imaginary parts of its eigenvector, which span the same invariant subspace, and the pair is kept
    /// together. When the <paramref name="want"/>-th value opens a pair, both are taken if <paramref name="cap"/> allows
    /// (want + 1 vectors), otherwise neither (want − 1). Returns 0 when the problem has NaN or infinity.
    /// </remarks>
    public static int SmallestHarmonicRitzVectors(ReadOnlySpan<double> g, ReadOnlySpan<double> w, int rows, int cols, int ld,
        int want, int cap, Span<double> p, int ldp)
    {
        var m = LeastSquares(g, w, rows, cols, ld);
        if (m is null) return 0;
        var evd = m.Evd(Symmetricity.Asymmetric);
        var values = evd.EigenValues;
        var vectors = evd.EigenVectors; // real block form: a pair's real and imaginary parts in consecutive columns
        var order = new int[cols];
        var magnitude = new double[cols];
        for (int i = 0; i < cols; i++)
        {
            order[i] = i;
            magnitude[i] = values[i].Magnitude;
            if (!double.IsFinite(magnitude[i])) return 0;
        }
        // Stable descending order by |μ|, ties by index, so a pair stays adjacent and the choice is deterministic.
        Array.Sort(order, (a, b) => magnitude[b] != magnitude[a] ? magnitude[b].CompareTo(magnitude[a]) : a.CompareTo(b));

        var taken = new bool[cols];
        int count = 0;
        foreach (int i in order)
        {
            if (taken[i]) continue;
            if (count >= want) break;
            if (values[i].Imaginary == 0)
            {
                Take(vectors, i, count++, p, ldp);
                taken[i] = true;
                continue;
            }
            int first = values[i].Imaginary > 0 ? i : i - 1; // MathNet (as JAMA/LAPACK) stores the + part first
            if (first < 0 || first + 1 >= cols) return count;
            if (count + 2 > want && count + 2 > cap) break;
            Take(vectors, first, count++, p, ldp);
            Take(vectors, first + 1, count++, p, ldp);
            taken[first] = taken[first + 1] = true;
        }
        return count;
    }

    /// <summary>
    /// Thin QR of the <paramref name="rows"/> x <paramref name="cols"/> matrix a (rows ≥ cols): Q (rows x cols, leading
    /// dimension <paramref name="ldq"/>) and R (cols x cols, leading dimension <paramref name="ldr"/>). False when a is
    /// numerically rank deficient (some |R_ii| ≤ 10⁻¹² max |R_jj|) or not finite.
    /// </summary>
    public static bool ThinQr(ReadOnlySpan<double> a, int rows, int cols, int lda, Span<double> q, int ldq, Span<double> r, int ldr)
    {
        var f = new double[rows * cols];
        for (int j = 0; j < cols; j++) a.Slice(j * lda, rows).CopyTo(f.AsSpan(j * rows, rows));
        var tau = new double[cols];
        Householder(f, rows, cols, tau);
        if (!FullRank(f, rows, cols)) return false;
        for (int j = 0; j < cols; j++)
        {
            for (int i = 0; i < cols; i++) r[j * ldr + i] = i <= j ? f[j * rows + i] : 0;
            var column = q.Slice(j * ldq, rows);
            column.Clear();
            column[j] = 1;
        }
        // Q = H_0 H_1 … H_{c−1} applied to the first columns of I, innermost reflector first.
        for (int j = cols - 1; j >= 0; j--)
            for (int l = 0; l < cols; l++) Reflect(f, rows, j, tau[j], q.Slice(l * ldq, rows));
        return true;
    }

    /// <summary>y ← p R⁻¹ for p (rows x cols) and upper triangular nonsingular R (cols x cols): column by column, forward.</summary>
    public static void SolveUpperFromRight(ReadOnlySpan<double> p, int ldp, ReadOnlySpan<double> r, int ldr, int rows, int cols, Span<double> y, int ldy)
    {
        for (int j = 0; j < cols; j++)
        {
            double pivot = r[j * ldr + j];
            for (int i = 0; i < rows; i++)
            {
                double s = p[j * ldp + i];
                for (int l = 0; l < j; l++) s -= y[l * ldy + i] * r[j * ldr + l];
                y[j * ldy + i] = s / pivot;
            }
        }
    }

    /// <summary>c ← a b for a (rows x inner) and b (inner x cols), all column-major.</summary>
    public static void Multiply(ReadOnlySpan<double> a, int lda, ReadOnlySpan<double> b, int ldb, int rows, int inner, int cols, Span<double> c, int ldc)
    {
        for (int j = 0; j < cols; j++)
        {
            var column = c.Slice(j * ldc, rows);
            column.Clear();
            for (int l = 0; l < inner; l++)
            {
                double s = b[j * ldb + l];
                if (s == 0) continue;
                for (int i = 0; i < rows; i++) column[i] += a[l * lda + i] * s;
            }
        }
    }

    private static void Take(Matrix<double> vectors, int source, int target, Span<double> p, int ldp)
    {
        int n = vectors.RowCount;
        double norm = 0;
        for (int i = 0; i < n; i++) norm += vectors[i, source] * vectors[i, source];
        double scale = norm > 0 ? 1 / Math.Sqrt(norm) : 0;
        for (int i = 0; i < n; i++) p[target * ldp + i] = vectors[i, source] * scale;
    }

    /// <summary>G⁺W by Householder QR of G (never the normal equations); null when G is rank deficient or not finite.</summary>
    private static DenseMatrix? LeastSquares(ReadOnlySpan<double> g, ReadOnlySpan<double> w, int rows, int cols, int ld)
    {
        var f = new double[rows * cols];
        var b = new double[rows * cols];
        for (int j = 0; j < cols; j++)
        {
            g.Slice(j * ld, rows).CopyTo(f.AsSpan(j * rows, rows));
            w.Slice(j * ld, rows).CopyTo(b.AsSpan(j * rows, rows));
        }
        var tau = new double[cols];
        Householder(f, rows, cols, tau);
        if (!FullRank(f, rows, cols)) return null;
        var m = new DenseMatrix(cols, cols);
        var x = m.Values; // column-major, leading dimension cols
        for (int l = 0; l < cols; l++)
        {
            var column = b.AsSpan(l * rows, rows);
            for (int j = 0; j < cols; j++) Reflect(f, rows, j, tau[j], column);
            for (int i = cols - 1; i >= 0; i--)
            {
                double s = column[i];
                for (int p = i + 1; p < cols; p++) s -= f[p * rows + i] * x[l * cols + p];
                x[l * cols + i] = s / f[i * rows + i];
                if (!double.IsFinite(x[l * cols + i])) return null;
            }
        }
        return m;
    }

    /// <summary>
    /// In-place Householder QR of f (rows x cols, leading dimension rows): R on and above the diagonal, the reflectors
    /// v_j (v_j[j] = 1 implied) below it, H_j = I − τ_j v_j v_jᵀ.
    /// </summary>
    private static void Householder(double[] f, int rows, int cols, double[] tau)
    {
        for (int j = 0; j < cols; j++)
        {
            var x = f.AsSpan(j * rows + j, rows - j);
            double norm = 0;
            foreach (double v in x) norm = double.Hypot(norm, v);
            if (norm == 0 || !double.IsFinite(norm))
            {
                tau[j] = 0;
                continue;
            }
            double alpha = x[0];
            double beta = alpha >= 0 ? -norm : norm; // the sign that avoids cancellation in alpha − beta
            double scale = 1 / (alpha - beta);
            for (int i = 1; i < x.Length; i++) x[i] *= scale;
            tau[j] = (beta - alpha) / beta;
            x[0] = beta;
            for (int l = j + 1; l < cols; l++) Reflect(f, rows, j, tau[j], f.AsSpan(l * rows, rows));
        }
    }

    /// <summary>y ← H_j y for one column y of length rows.</summary>
    private static void Reflect(double[] f, int rows, int j, double tau, Span<double> y)
    {
        if (tau == 0) return;
        var v = f.AsSpan(j * rows, rows);
        double s = y[j];
        for (int i = j + 1; i < rows; i++) s += v[i] * y[i];
        s *= tau;
        y[j] -= s;
        for (int i = j + 1; i < rows; i++) y[i] -= s * v[i];
    }

    private static bool FullRank(double[] f, int rows, int cols)
    {
        double largest = 0;
        for (int i = 0; i < cols; i++) largest = Math.Max(largest, Math.Abs(f[i * rows + i]));
        if (!double.IsFinite(largest) || largest == 0) return false;
        for (int i = 0; i < cols; i++)
            if (!(Math.Abs(f[i * rows + i]) > RankTolerance * largest)) return false;
        return true;
    }
}
