using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// Ã = S⁻¹ A S⁻¹ with S = diag(√a_ii): the unit-diagonal form a learned factor is predicted for, so that one model
/// serves matrices of any scale (a coefficient field's magnitude, a grid's h⁻²). A factor L̃ of Ã is one of A as
/// L = S L̃; a sparse inverse factor G̃ of Ã is one of A as G = G̃ S⁻¹.
/// </summary>
internal sealed class ScaledMatrix
{
    /// <exception cref="ZeroPivotException">A diagonal entry is missing or not positive (A is not SPD).</exception>
    public ScaledMatrix(CsrMatrix a, string preconditioner)
    {
        int n = a.Rows;
        Scale = new double[n];
        for (int i = 0; i < n; i++)
        {
            int d = a.IndexOf(i, i);
            double aii = d < 0 ? 0 : a.Values[d];
            if (!(aii > 0) || double.IsInfinity(aii)) throw new ZeroPivotException(preconditioner, i, aii);
            Scale[i] = Math.Sqrt(aii);
        }
        var values = new double[a.NonZeros];
        for (int i = 0; i < n; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                values[k] = a.Values[k] / (Scale[i] * Scale[a.ColumnIndices[k]]);
        Matrix = a.WithValues(values);
    }

    /// <summary>√a_ii.</summary>
    public double[] Scale { get; }

    /// <summary>Ã, on A's pattern.</summary>
    public CsrMatrix Matrix { get; }
}
