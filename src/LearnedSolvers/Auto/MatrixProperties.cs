using System.Globalization;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Auto;

/// <summary>
/// What a method choice can learn from a matrix in O(nnz): size, symmetry, the diagonal (missing, zero, sign) and
/// diagonal dominance, from which definiteness is proved (symmetric, positive diagonal, diagonally dominant:
/// Gershgorin), ruled out (symmetric with a diagonal entry ≤ 0), or only suspected.
/// </summary>
public sealed record MatrixProperties
{
    /// <summary>Two entries a_ij, a_ji count as equal within this relative tolerance (values read from text lose the last digits).</summary>
    public const double SymmetryTolerance = 1e-12;

    public required int Rows { get; init; }
    public required long NonZeros { get; init; }

    /// <summary>Pattern and values symmetric within <see cref="SymmetryTolerance"/>.</summary>
    public required bool IsSymmetric { get; init; }

    /// <summary>Rows whose diagonal entry is missing or zero: ILU(0), IC(0), Jacobi and SSOR divide by it.</summary>
    public required int ZeroDiagonals { get; init; }

    /// <summary>Every diagonal entry is positive.</summary>
    public required bool PositiveDiagonal { get; init; }

    /// <summary>The share of rows with |a_ii| ≥ Σ_{j≠i} |a_ij|.</summary>
    public required double DominantRowShare { get; init; }

    public required Definiteness Definiteness { get; init; }

    /// <summary>Average stored entries per row.</summary>
    public double EntriesPerRow => Rows == 0 ? 0 : (double)NonZeros / Rows;

    /// <summary>Symmetric and positive definite, proved or likely: CG applies.</summary>
    public bool LooksSpd => Definiteness is Definiteness.PositiveDefinite or Definiteness.LikelyPositiveDefinite;

    /// <summary>Reads the properties of a square matrix.</summary>
    public static MatrixProperties Of(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"The matrix is {a.Rows} x {a.Columns}; a linear system needs a square one.", nameof(a));
        int zero = 0, dominant = 0;
        bool positive = true;
        for (int i = 0; i < a.Rows; i++)
        {
            double diagonal = 0, offDiagonal = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                if (a.ColumnIndices[k] == i) diagonal = a.Values[k];
                else offDiagonal += Math.Abs(a.Values[k]);
            }
            if (diagonal == 0) zero++;
            if (!(diagonal > 0)) positive = false;
            if (Math.Abs(diagonal) >= offDiagonal && diagonal != 0) dominant++;
        }
        bool symmetric = a.IsSymmetric(SymmetryTolerance);
        double share = a.Rows == 0 ? 1 : (double)dominant / a.Rows;
        var definiteness = !symmetric ? Definiteness.NotSymmetric
            : !positive ? Definiteness.Indefinite
            : dominant == a.Rows ? Definiteness.PositiveDefinite
            : Definiteness.LikelyPositiveDefinite;
        return new MatrixProperties
        {
            Rows = a.Rows,
            NonZeros = a.NonZeros,
            IsSymmetric = symmetric,
            ZeroDiagonals = zero,
            PositiveDiagonal = positive,
            DominantRowShare = share,
            Definiteness = definiteness,
        };
    }

    /// <summary>"1138 rows, 4054 entries (3.6 per row), symmetric, positive diagonal, 12% of rows diagonally dominant: likely SPD".</summary>
    public override string ToString()
    {
        string diagonal = ZeroDiagonals > 0 ? $"{ZeroDiagonals} zero diagonal entries" : PositiveDiagonal ? "positive diagonal" : "diagonal of both signs";
        return string.Create(CultureInfo.InvariantCulture,
            $"{Rows} rows, {NonZeros} entries ({EntriesPerRow:F1} per row), {(IsSymmetric ? "symmetric" : "nonsymmetric")}, {diagonal}, {DominantRowShare:P0} of rows diagonally dominant: {Describe(Definiteness)}");
    }

    private static string Describe(Definiteness d) => d switch
    {
        Definiteness.PositiveDefinite => "SPD (diagonally dominant)",
        Definiteness.LikelyPositiveDefinite => "likely SPD",
        Definiteness.Indefinite => "symmetric, not positive definite",
        _ => "nonsymmetric",
    };
}

/// <summary>What the cheap checks say about xᵀAx &gt; 0.</summary>
public enum Definiteness
{
    /// <summary>Symmetric, positive diagonal and diagonally dominant in every row: positive definite (Gershgorin) unless singular.</summary>
    PositiveDefinite,

    /// <summary>Symmetric with a positive diagonal: CG or Cholesky will tell (they stop on a non-positive curvature or pivot).</summary>
    LikelyPositiveDefinite,

    /// <summary>Symmetric with a diagonal entry ≤ 0: not positive definite.</summary>
    Indefinite,

    /// <summary>Not symmetric: definiteness does not decide the method.</summary>
    NotSymmetric,
}
