namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// The training losses of the learned factors on a pair (x, b) with Ax = b, in the scaled system's terms, each with its
/// gradient with respect to the factor's values on a lower-triangular pattern (rows, columns; CSR).
/// <list type="bullet">
/// <item><see cref="Factor"/>: ‖L Lᵀ x − b‖² / ‖b‖² (NeuralPCG, PreCorrector): L Lᵀ ≈ A where it matters for x. With b
/// white noise, x = A⁻¹b is dominated by A's smooth modes: the ones CG with IC(0) converges on last.</item>
/// <item><see cref="Inverse"/>: ‖(Gᵀ G)⁻¹ x − b‖² / ‖b‖² (learned FSAI): the same loss for the implicit factor G⁻¹.</item>
/// </list>
/// </summary>
internal static class FactorLoss
{
    /// <summary>‖L Lᵀ x − b‖² / ‖b‖²; <paramref name="gradient"/> (same length as <paramref name="values"/>) receives ∂loss/∂L.</summary>
    public static double Factor(int[] rows, int[] columns, double[] values, ReadOnlySpan<double> x, ReadOnlySpan<double> b, Span<double> gradient,
        FactorLossWorkspace work)
    {
        int n = rows.Length - 1;
        var y = work.First(n);
        var r = work.Second(n);
        var u = work.Third(n);
        TransposeMultiply(rows, columns, values, x, y);
        Multiply(rows, columns, values, y, r);
        double loss = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] -= b[i];
            loss += r[i] * r[i];
            scale += b[i] * b[i];
        }
        if (!(scale > 0)) throw new ArgumentException("The right-hand side is zero; the loss is undefined.", nameof(b));
        TransposeMultiply(rows, columns, values, r, u);
        double c = 2 / scale;
        for (int i = 0; i < n; i++)
            for (int p = rows[i]; p < rows[i + 1]; p++)
            {
                int j = columns[p];
                gradient[p] = c * (r[i] * y[j] + x[i] * u[j]);
            }
        return loss / scale;
    }

    /// <summary>
    /// ‖G⁻¹ G⁻ᵀ x − b‖² / ‖b‖² for M = Gᵀ G: the factor loss of M⁻¹ = L Lᵀ with L = G⁻¹, so the sparse inverse factor is
    /// trained for what CG sees (M⁻¹ ≈ A on the pairs) rather than for M ≈ A⁻¹, which a sparse G cannot reach on the
    /// smoothest modes and which, pursued, wrecks the conditioning elsewhere. G is lower triangular with its diagonal last
    /// in each row. <paramref name="gradient"/> receives ∂loss/∂G.
    /// </summary>
    public static double Inverse(int[] rows, int[] columns, double[] values, ReadOnlySpan<double> x, ReadOnlySpan<double> b, Span<double> gradient,
        FactorLossWorkspace work)
    {
        int n = rows.Length - 1;
        var v = work.First(n);
        var w = work.Second(n);
        var q = work.Third(n);
        x.CopyTo(v);
        SolveTransposed(rows, columns, values, v);   // v = G⁻ᵀ x
        v.CopyTo(w);
        SolveLower(rows, columns, values, w);        // w = G⁻¹ v
        double loss = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            double r = w[i] - b[i];
            loss += r * r;
            scale += b[i] * b[i];
        }
        if (!(scale > 0)) throw new ArgumentException("The right-hand side is zero; the loss is undefined.", nameof(b));
        // ∂/∂w = 2r/‖b‖²; q = G⁻ᵀ ∂/∂w is ∂/∂v; t = G⁻¹ q. Then ∂/∂G_ij = −(q_i w_j + v_i t_j).
        for (int i = 0; i < n; i++) q[i] = 2 * (w[i] - b[i]) / scale;
        SolveTransposed(rows, columns, values, q);
        var t = work.Fourth(n);
        q.CopyTo(t);
        SolveLower(rows, columns, values, t);
        for (int i = 0; i < n; i++)
            for (int k = rows[i]; k < rows[i + 1]; k++)
            {
                int j = columns[k];
                gradient[k] = -(q[i] * w[j] + v[i] * t[j]);
            }
        return loss / scale;
    }

    /// <summary>y = G⁻¹ y in place (G lower, diagonal last in each row).</summary>
    private static void SolveLower(int[] rows, int[] columns, double[] values, Span<double> y)
    {
        for (int i = 0; i < rows.Length - 1; i++)
        {
            int diagonal = rows[i + 1] - 1;
            double s = y[i];
            for (int k = rows[i]; k < diagonal; k++) s -= values[k] * y[columns[k]];
            y[i] = s / values[diagonal];
        }
    }

    /// <summary>y = G⁻ᵀ y in place.</summary>
    private static void SolveTransposed(int[] rows, int[] columns, double[] values, Span<double> y)
    {
        for (int i = rows.Length - 2; i >= 0; i--)
        {
            int diagonal = rows[i + 1] - 1;
            y[i] /= values[diagonal];
            for (int k = rows[i]; k < diagonal; k++) y[columns[k]] -= values[k] * y[i];
        }
    }

    /// <summary>y = L x.</summary>
    private static void Multiply(int[] rows, int[] columns, double[] values, ReadOnlySpan<double> x, Span<double> y)
    {
        for (int i = 0; i < rows.Length - 1; i++)
        {
            double s = 0;
            for (int p = rows[i]; p < rows[i + 1]; p++) s += values[p] * x[columns[p]];
            y[i] = s;
        }
    }

    /// <summary>y = Lᵀ x.</summary>
    private static void TransposeMultiply(int[] rows, int[] columns, double[] values, ReadOnlySpan<double> x, Span<double> y)
    {
        y.Clear();
        for (int i = 0; i < rows.Length - 1; i++)
            for (int p = rows[i]; p < rows[i + 1]; p++) y[columns[p]] += values[p] * x[i];
    }
}
