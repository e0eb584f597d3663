using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct;

/// <summary>
/// Fixed-precision iterative refinement of a direct solve (Higham, "Accuracy and Stability of Numerical Algorithms",
/// 2nd ed., 2002, ch. 12): x ← x + A⁻¹(b − A x) through the factors, kept only while the residual norm falls. One step
/// repairs the growth threshold pivoting allows (τ &lt; 1), or an unstable pivot order kept by a refactorization, and
/// brings the backward error to the order of the unit roundoff; a step that does not reduce the residual has reached
/// rounding level and ends the loop. Every backend solves through it; the work vectors are allocated once.
/// </summary>
internal sealed class IterativeRefinement
{
    private readonly double[] _rightHandSide;
    private readonly double[] _residual;
    private readonly double[] _correction;
    private readonly double[] _trial;

    /// <summary>Workspace for systems of <paramref name="size"/> unknowns; <paramref name="steps"/> = 0 solves once.</summary>
    public IterativeRefinement(int size, int steps)
    {
        Steps = steps;
        _rightHandSide = new double[size];
        _residual = steps > 0 ? new double[size] : [];
        _correction = steps > 0 ? new double[size] : [];
        _trial = steps > 0 ? new double[size] : [];
    }

    /// <summary>The most refinement steps per solve.</summary>
    public int Steps { get; }

    /// <summary>Bytes of this workspace per unknown, for memory estimates.</summary>
    public static double BytesPerUnknown(int steps) => steps > 0 ? 32 : 8;

    /// <summary>The vector lengths of a solve: both the size of the factored matrix.</summary>
    /// <exception cref="ArgumentException">A length differs, naming the vector.</exception>
    public void RequireSolveLengths(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = _rightHandSide.Length;
        if (b.Length != n) throw new ArgumentException($"b has length {b.Length}; the factored matrix has {n} rows.", nameof(b));
        if (x.Length != n) throw new ArgumentException($"x has length {x.Length}; the factored matrix has {n} rows.", nameof(x));
    }

    /// <summary>x = A⁻¹ b, refined; b and x may be the same memory (b is copied first). Allocates nothing.</summary>
    /// <exception cref="ArgumentException">b contains NaN or infinity.</exception>
    /// <exception cref="SingularMatrixException">The solution is not finite: the factors are singular to working precision.</exception>
    public void Solve(CsrMatrix a, IFactorSolve factors, DirectBackend backend, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < b.Length; i++)
            if (!double.IsFinite(b[i]))
                throw new ArgumentException($"b contains {b[i]} at entry {i + 1} (counting from 1); a direct solve needs finite values.", nameof(b));
        int n = _rightHandSide.Length;
        b.CopyTo(_rightHandSide);
        factors.SolveWithFactors(_rightHandSide, x);
        if (Steps == 0)
        {
            foreach (double v in x)
                if (!double.IsFinite(v)) throw Overflow(backend);
            return;
        }
        a.ResidualRows(0, n, x, _rightHandSide, _residual);
        double norm = Norm(_residual);
        if (!double.IsFinite(norm)) throw Overflow(backend);
        if (AtRoundingLevel(a, x)) return;
        for (int step = 0; step < Steps && norm > 0; step++)
        {
            factors.SolveWithFactors(_residual, _correction);
            for (int i = 0; i < n; i++) _trial[i] = x[i] + _correction[i];
            a.ResidualRows(0, n, _trial, _rightHandSide, _residual);
            double trialNorm = Norm(_residual);
            if (!(trialNorm < norm)) break;
            _trial.CopyTo(x);
            norm = trialNorm;
        }
    }

    /// <summary>
    /// The normwise backward error ‖r‖∞ / (‖A‖∞ ‖x‖∞ + ‖b‖∞) is within <see cref="RoundingLevel"/> units of the
    /// roundoff: a stable factorization leaves about that much, and refinement cannot gain a digit, so the solve and
    /// product a step costs to find that out are skipped (LAPACK's xGERFS stops on a similar test).
    /// </summary>
    private bool AtRoundingLevel(CsrMatrix a, ReadOnlySpan<double> x)
    {
        double aNorm = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double row = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) row += Math.Abs(a.Values[k]);
            aNorm = Math.Max(aNorm, row);
        }
        double scale = aNorm * MaxAbs(x) + MaxAbs(_rightHandSide);
        return MaxAbs(_residual) <= RoundingLevel * UnitRoundoff * scale;
    }

    private const double UnitRoundoff = 1.1102230246251565e-16;

    /// <summary>On 2D Poisson 1M a Cholesky solve leaves a backward error of about 10 u: no step is worth a solve there.</summary>
    private const double RoundingLevel = 64;

    private static double MaxAbs(ReadOnlySpan<double> v)
    {
        double m = 0;
        foreach (double e in v) m = Math.Max(m, Math.Abs(e));
        return m;
    }

    private static double Norm(double[] v)
    {
        double sum = 0;
        foreach (double value in v) sum += value * value;
        return Math.Sqrt(sum);
    }

    private static SingularMatrixException Overflow(DirectBackend backend) =>
        new(backend, -1, detail: "the solve produced NaN or infinity: the factors are singular to working precision");
}
