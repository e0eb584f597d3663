using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// A factored sparse approximate inverse M = Gᵀ G ≈ A⁻¹ with G sparse lower triangular and a positive diagonal: what
/// classical FSAI (<see cref="FactorizedSparseInverse"/>) computes and what a learned factor on the same pattern
/// predicts. M is SPD whenever G is nonsingular, which a positive diagonal guarantees, so CG accepts it.
/// <see cref="SparseInverseFactorPreconditioner"/> applies it on any device with two sparse products.
/// </summary>
public sealed class SparseInverseFactor
{
    /// <param name="g">G: square, every column index ≤ its row, every diagonal entry stored and positive. Its arrays are shared, not copied.</param>
    /// <exception cref="ArgumentException">G is not square, or holds an entry above the diagonal.</exception>
    /// <exception cref="ZeroPivotException">A diagonal entry is missing (reported as zero) or not positive.</exception>
    public SparseInverseFactor(CsrMatrix g)
    {
        ArgumentNullException.ThrowIfNull(g);
        if (!g.IsSquare) throw new ArgumentException($"A sparse inverse factor must be square; G is {g.Rows} x {g.Columns}.", nameof(g));
        for (int i = 0; i < g.Rows; i++)
        {
            int end = g.RowPointers[i + 1];
            if (end > g.RowPointers[i] && g.ColumnIndices[end - 1] > i)
                throw new ArgumentException($"G must be lower triangular; row {i} holds column {g.ColumnIndices[end - 1]}.", nameof(g));
        }
        G = g;
        CheckDiagonal();
    }

    /// <summary>G, lower triangular with its diagonal last in each row. A learned factor rewrites <see cref="CsrMatrix.Values"/> in place.</summary>
    public CsrMatrix G { get; }

    public int Size => G.Rows;

    /// <summary>Checks the diagonal of the values now in <see cref="G"/> (after they were rewritten in place).</summary>
    /// <exception cref="ZeroPivotException">A diagonal entry is missing (reported as zero) or not positive.</exception>
    public void CheckDiagonal()
    {
        for (int i = 0; i < G.Rows; i++)
        {
            int last = G.RowPointers[i + 1] - 1;
            double d = last >= G.RowPointers[i] && G.ColumnIndices[last] == i ? G.Values[last] : 0;
            if (!(d > 0) || double.IsInfinity(d)) throw new ZeroPivotException(FactorizedSparseInverse.Name, i, d);
        }
    }

    /// <summary>Gᵀ G x on the host, serially: the reference the device application is tested against.</summary>
    public double[] Multiply(ReadOnlySpan<double> x)
    {
        if (x.Length != Size) throw new ArgumentException($"x has {x.Length} entries; G is {Size} x {Size}.", nameof(x));
        var gx = new double[Size];
        G.Multiply(x, gx);
        var y = new double[Size];
        for (int i = 0; i < Size; i++)
            for (int k = G.RowPointers[i]; k < G.RowPointers[i + 1]; k++) y[G.ColumnIndices[k]] += G.Values[k] * gx[i];
        return y;
    }
}
