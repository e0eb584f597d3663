namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// The training losses of the learned factors on a pair (x, b) with Ax = b, in the scaled system's terms, each with its
/// gradient with respect to the factor's values on a lower-triangular pattern (rows, columns; CSR).
/// <list type="bullet">
/// <item><see cref="Factor"/>: ‖L Lᵀ x − b‖² / ‖b‖² (NeuralPCG, PreCorrector): L Lᵀ ≈ A where it matters for x. With b
/// white noise, x = A⁻¹b is dominated by A's smooth modes: the ones CG with IC(0) converges on last.</item>
/// <item><see cref="Inverse"/>: ‖Gᵀ G b − x‖² / ‖x‖² (learned FSAI): Gᵀ G ≈ A⁻¹ on the same pairs.</item>
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

    /// <summary>‖Gᵀ G b − x‖² / ‖x‖²; <paramref name="gradient"/> receives ∂loss/∂G.</summary>
    public static double Inverse(int[] rows, int[] columns, double[] values, ReadOnlySpan<double> x, ReadOnlySpan<double> b, Span<double> gradient,
        FactorLossWorkspace work)
    {
        int n = rows.Length - 1;
        var z = work.First(n);
        var r = work.Second(n);
        var u = work.Third(n);
        Multiply(rows, columns, values, b, z);
        TransposeMultiply(rows, columns, values, z, r);
        double loss = 0, scale = 0;
        for (int i = 0; i < n; i++)
        {
            r[i] -= x[i];
            loss += r[i] * r[i];
            scale += x[i] * x[i];
        }
        if (!(scale > 0)) throw new ArgumentException("The solution is zero; the loss is undefined.", nameof(x));
        Multiply(rows, columns, values, r, u);
        double c = 2 / scale;
        for (int i = 0; i < n; i++)
            for (int p = rows[i]; p < rows[i + 1]; p++)
            {
                int j = columns[p];
                gradient[p] = c * (z[i] * r[j] + u[i] * b[j]);
            }
        return loss / scale;
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
