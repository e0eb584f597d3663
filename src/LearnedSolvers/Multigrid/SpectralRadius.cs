using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>Estimates of ρ(D⁻¹A), which weighted Jacobi, Chebyshev and the smoothed prolongator are scaled by.</summary>
internal static class SpectralRadius
{
    /// <summary>1/a_ii per row; a zero or missing diagonal cannot be relaxed.</summary>
    public static double[] InverseDiagonal(CsrMatrix a, string usedBy)
    {
        var d = a.Diagonal();
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == 0) throw new ZeroPivotException(usedBy, i, d[i]);
            d[i] = 1 / d[i];
        }
        return d;
    }

    /// <summary>
    /// ρ(D⁻¹A) for symmetric A with positive diagonal: the Rayleigh quotient of D^-½ A D^-½ (similar to D⁻¹A) after
    /// <paramref name="steps"/> power iterations from a seeded random start, capped by the Gershgorin bound
    /// max_i Σ_j |a_ij| / a_ii, which it approaches from below.
    /// </summary>
    public static double OfJacobiScaled(CsrMatrix a, double[] inverseDiagonal, int steps = 20)
    {
        int n = a.Rows;
        double gershgorin = 0;
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += Math.Abs(a.Values[k]);
            gershgorin = Math.Max(gershgorin, s * Math.Abs(inverseDiagonal[i]));
        }
        var scale = new double[n];
        for (int i = 0; i < n; i++) scale[i] = Math.Sqrt(Math.Abs(inverseDiagonal[i]));
        var v = new double[n];
        var w = new double[n];
        var product = new double[n];
        var rng = new Random(12345);
        for (int i = 0; i < n; i++) v[i] = rng.NextDouble() + 0.5;
        double rayleigh = 0;
        for (int step = 0; step < steps; step++)
        {
            double norm = Math.Sqrt(Dot(v, v));
            if (norm == 0) break;
            for (int i = 0; i < n; i++) v[i] /= norm;
            for (int i = 0; i < n; i++) w[i] = scale[i] * v[i];
            a.Multiply(w, product);
            for (int i = 0; i < n; i++) w[i] = scale[i] * product[i];
            rayleigh = Dot(v, w);
            (v, w) = (w, v);
        }
        return Math.Min(gershgorin, Math.Abs(rayleigh) > 0 ? Math.Abs(rayleigh) : gershgorin);
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }
}
