using LearnedSolvers.Sparse.Orderings;

namespace LearnedSolvers.Sparse.Scaling;

/// <summary>
/// A x = b rewritten as Â x̂ = b̂ with Â = P D_r A D_c Q, b̂ = P D_r b and x = D_c Q x̂, where P and Q permute rows
/// and columns and D_r, D_c are positive diagonal scalings. Any solver may solve the transformed system; the
/// mappings here carry right-hand sides in and solutions out, and initial guesses in.
/// </summary>
/// <remarks>
/// Entry by entry, Â[i, j] = D_r[p_i] · A[p_i, q_j] · D_c[q_j], b̂[i] = D_r[p_i] · b[p_i] and x[q_j] = D_c[q_j] · x̂[j],
/// with p = <see cref="RowPermutation"/> and q = <see cref="ColumnPermutation"/> (both new → old). Then
/// (Â x̂)[i] = D_r[p_i] (A x)[p_i], so Â x̂ = b̂ exactly when A x = b; residuals differ by the row scaling, so a
/// tolerance met on the transformed system is met on the original only up to the spread of D_r.
/// <see cref="FromMatching"/> is the usual preparation of a matrix with zero diagonals for ILU-type preconditioners
/// (Duff and Koster 2001; Benzi, Haws and Tůma, SIAM J. Sci. Comput. 22(4), 2000: matching, scaling, then a
/// symmetric reordering).
/// </remarks>
public sealed class ScaledPermutedSystem
{
    /// <summary>Forms Â = P D_r A D_c Q; a null argument stands for the identity.</summary>
    /// <exception cref="ArgumentException">
    /// A size differs from the matrix, or a scaling factor is not finite and positive (see <see cref="RowColumnScaling"/>).
    /// </exception>
    public ScaledPermutedSystem(CsrMatrix a, Permutation? rowPermutation = null, double[]? rowScaling = null,
        double[]? columnScaling = null, Permutation? columnPermutation = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        var scaling = new RowColumnScaling(a, rowScaling ?? Ones(a.Rows), columnScaling ?? Ones(a.Columns));
        Original = a;
        RowScaling = scaling.RowScaling;
        ColumnScaling = scaling.ColumnScaling;
        RowPermutation = rowPermutation ?? Permutation.Identity(a.Rows);
        ColumnPermutation = columnPermutation ?? Permutation.Identity(a.Columns);
        Matrix = Permutation.PermuteMatrix(scaling.Scaled, RowPermutation, ColumnPermutation);
    }

    /// <summary>
    /// Matching and scaling (<see cref="MaximumWeightMatching"/>), then optionally a symmetric reordering of the
    /// matched matrix. The result has |â_ii| = 1 and |â_ij| ≤ 1 up to rounding: ILU(0) and Jacobi find no zero
    /// diagonal, and the reordering, applied to rows and columns alike, keeps the matched entries on the diagonal.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    /// <exception cref="StructurallySingularException">No row permutation puts a nonzero on every diagonal position.</exception>
    public static ScaledPermutedSystem FromMatching(CsrMatrix a, SymmetricOrdering ordering = SymmetricOrdering.None)
    {
        ArgumentNullException.ThrowIfNull(a);
        var matching = MaximumWeightMatching.Find(a);
        var matched = new ScaledPermutedSystem(a, matching.RowPermutation, matching.RowScaling, matching.ColumnScaling);
        var symmetric = ordering switch
        {
            SymmetricOrdering.None => null,
            SymmetricOrdering.ReverseCuthillMcKee => ReverseCuthillMcKee.Order(matched.Matrix),
            _ => throw new ArgumentOutOfRangeException(nameof(ordering), ordering, "Unknown symmetric ordering."),
        };
        if (symmetric is null) return matched;
        return new ScaledPermutedSystem(a, matching.RowPermutation.Then(symmetric), matching.RowScaling, matching.ColumnScaling, symmetric);
    }

    /// <summary>A, as given.</summary>
    public CsrMatrix Original { get; }

    /// <summary>Â = P D_r A D_c Q, the matrix to solve with.</summary>
    public CsrMatrix Matrix { get; }

    /// <summary>P, new → old: row i of Â comes from row <c>RowPermutation[i]</c> of A.</summary>
    public Permutation RowPermutation { get; }

    /// <summary>Q, new → old: column j of Â comes from column <c>ColumnPermutation[j]</c> of A.</summary>
    public Permutation ColumnPermutation { get; }

    /// <summary>The diagonal of D_r, indexed by the rows of A.</summary>
    public double[] RowScaling { get; }

    /// <summary>The diagonal of D_c, indexed by the columns of A.</summary>
    public double[] ColumnScaling { get; }

    /// <summary>b̂ = P D_r b: b̂[i] = D_r[p_i] · b[p_i].</summary>
    /// <exception cref="ArgumentException">A length differs from the rows of A.</exception>
    public void TransformRightHandSide(ReadOnlySpan<double> b, Span<double> transformed)
    {
        CheckLength(b.Length, Original.Rows, nameof(b));
        CheckLength(transformed.Length, Original.Rows, nameof(transformed));
        var p = RowPermutation.NewToOld;
        for (int i = 0; i < p.Length; i++) transformed[i] = RowScaling[p[i]] * b[p[i]];
    }

    /// <summary>b̂ = P D_r b, in a new array.</summary>
    /// <exception cref="ArgumentException">The length differs from the rows of A.</exception>
    public double[] TransformRightHandSide(ReadOnlySpan<double> b)
    {
        var transformed = new double[Original.Rows];
        TransformRightHandSide(b, transformed);
        return transformed;
    }

    /// <summary>b = D_r⁻¹ Pᵀ b̂: undoes <see cref="TransformRightHandSide(ReadOnlySpan{double}, Span{double})"/>.</summary>
    /// <exception cref="ArgumentException">A length differs from the rows of A.</exception>
    public void RecoverRightHandSide(ReadOnlySpan<double> transformed, Span<double> b)
    {
        CheckLength(transformed.Length, Original.Rows, nameof(transformed));
        CheckLength(b.Length, Original.Rows, nameof(b));
        var p = RowPermutation.NewToOld;
        for (int i = 0; i < p.Length; i++) b[p[i]] = transformed[i] / RowScaling[p[i]];
    }

    /// <summary>x̂ = Qᵀ D_c⁻¹ x: an initial guess (or any vector of unknowns) carried into the transformed system.</summary>
    /// <exception cref="ArgumentException">A length differs from the columns of A.</exception>
    public void TransformSolution(ReadOnlySpan<double> x, Span<double> transformed)
    {
        CheckLength(x.Length, Original.Columns, nameof(x));
        CheckLength(transformed.Length, Original.Columns, nameof(transformed));
        var q = ColumnPermutation.NewToOld;
        for (int j = 0; j < q.Length; j++) transformed[j] = x[q[j]] / ColumnScaling[q[j]];
    }

    /// <summary>x̂ = Qᵀ D_c⁻¹ x, in a new array.</summary>
    /// <exception cref="ArgumentException">The length differs from the columns of A.</exception>
    public double[] TransformSolution(ReadOnlySpan<double> x)
    {
        var transformed = new double[Original.Columns];
        TransformSolution(x, transformed);
        return transformed;
    }

    /// <summary>x = D_c Q x̂: x[q_j] = D_c[q_j] · x̂[j], the solution of A x = b from that of Â x̂ = b̂.</summary>
    /// <exception cref="ArgumentException">A length differs from the columns of A.</exception>
    public void RecoverSolution(ReadOnlySpan<double> transformed, Span<double> x)
    {
        CheckLength(transformed.Length, Original.Columns, nameof(transformed));
        CheckLength(x.Length, Original.Columns, nameof(x));
        var q = ColumnPermutation.NewToOld;
        for (int j = 0; j < q.Length; j++) x[q[j]] = ColumnScaling[q[j]] * transformed[j];
    }

    /// <summary>x = D_c Q x̂, in a new array.</summary>
    /// <exception cref="ArgumentException">The length differs from the columns of A.</exception>
    public double[] RecoverSolution(ReadOnlySpan<double> transformed)
    {
        var x = new double[Original.Columns];
        RecoverSolution(transformed, x);
        return x;
    }

    private static void CheckLength(int length, int expected, string name)
    {
        if (length != expected) throw new ArgumentException($"The vector has length {length}; the system needs {expected}.", name);
    }

    private static double[] Ones(int n)
    {
        var v = new double[n];
        Array.Fill(v, 1.0);
        return v;
    }
}
