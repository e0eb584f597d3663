using LearnedSolvers.Sparse;

namespace LearnedSolvers.Problems;

/// <summary>
/// A generated system A x = b with a one-line description of what produced it, plus the metadata that data sets,
/// learned solvers and sequence ordering (SKR) need: the coefficient field and the grid it lives on.
/// </summary>
/// <param name="Matrix">The square system matrix.</param>
/// <param name="RightHandSide">b, one entry per row of <paramref name="Matrix"/>.</param>
/// <param name="Description">Generator, size, parameters and seed, for logs and file headers.</param>
public sealed record LinearSystem(CsrMatrix Matrix, double[] RightHandSide, string Description)
{
    public CsrMatrix Matrix { get; init; } = Matrix ?? throw new ArgumentNullException(nameof(Matrix));

    public double[] RightHandSide { get; init; } = CheckRightHandSide(Matrix, RightHandSide);

    public string Description { get; init; } = Description ?? throw new ArgumentNullException(nameof(Description));

    /// <summary>
    /// The coefficient field the matrix was built from, or null when there is none (Poisson). Its layout belongs to the
    /// generator: diffusion stores k on the (n+1)^d grid vertices in row-major order (x fastest), convection-diffusion
    /// stores the wind (w_x, w_y) interleaved per unknown.
    /// </summary>
    public double[]? Coefficients { get; init; }

    /// <summary>Unknowns per axis of the structured grid (n), or 0 when the system does not come from a grid.</summary>
    public int GridSize { get; init; }

    /// <summary>Spatial dimension of the grid (2 or 3), or 0 when the system does not come from a grid.</summary>
    public int Dimension { get; init; }

    /// <summary>Number of unknowns (rows of <see cref="Matrix"/>).</summary>
    public int Size => Matrix.Rows;

    private static double[] CheckRightHandSide(CsrMatrix matrix, double[] rightHandSide)
    {
        ArgumentNullException.ThrowIfNull(rightHandSide);
        if (matrix is not null && rightHandSide.Length != matrix.Rows)
            throw new ArgumentException($"The right-hand side has length {rightHandSide.Length}; the matrix has {matrix.Rows} rows.", nameof(RightHandSide));
        return rightHandSide;
    }

    public override string ToString() => $"{Description} ({Matrix})";
}
