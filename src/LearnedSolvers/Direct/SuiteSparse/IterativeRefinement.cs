using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// Solve with the factors, then up to <c>steps</c> rounds of x ← x + A⁻¹(b − Ax) while they reduce ‖b − Ax‖
/// (Wilkinson's iterative refinement; in working precision it repairs the error of an unstable pivot order, such as
/// one kept by a refactorization, and costs one sparse product and one solve per round). The four work vectors are
/// allocated once, so a warm solve allocates nothing.
/// </summary>
internal sealed class IterativeRefinement(int n, int steps)
{
    private readonly double[] _b = new double[steps > 0 ? n : 0];
    private double[] _r = new double[steps > 0 ? n : 0];
    private readonly double[] _d = new double[steps > 0 ? n : 0];
    private double[] _candidate = new double[steps > 0 ? n : 0];
    private double[] _candidateResidual = new double[steps > 0 ? n : 0];

    /// <summary>x = A⁻¹b refined against <paramref name="a"/>; b and x may be the same memory.</summary>
    /// <exception cref="ArgumentException">b contains NaN or infinity.</exception>
    /// <exception cref="SingularMatrixException">The solution overflowed: the factors are singular to working precision.</exception>
    public void Solve(CsrMatrix a, IInPlaceSolver solver, DirectBackend backend, ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < b.Length; i++)
            if (!double.IsFinite(b[i]))
                throw new ArgumentException($"b contains {b[i]} at entry {i}; a direct solve needs finite values.", nameof(b));
        if (steps > 0) b.CopyTo(_b);
        b.CopyTo(x);
        solver.SolveInPlace(x);
        if (steps == 0)
        {
            for (int i = 0; i < x.Length; i++)
                if (!double.IsFinite(x[i])) throw Overflow(backend);
            return;
        }

        a.ResidualRows(0, n, x, _b, _r);
        double norm = Norm(_r);
        if (!double.IsFinite(norm)) throw Overflow(backend);
        for (int step = 0; step < steps && norm > 0; step++)
        {
            _r.CopyTo(_d, 0);
            solver.SolveInPlace(_d);
            for (int i = 0; i < n; i++) _candidate[i] = x[i] + _d[i];
            a.ResidualRows(0, n, _candidate, _b, _candidateResidual);
            double next = Norm(_candidateResidual);
            if (!(next < norm)) break;
            _candidate.CopyTo(x);
            norm = next;
            (_r, _candidateResidual) = (_candidateResidual, _r);
        }
    }

    private static double Norm(double[] v)
    {
        double s = 0;
        foreach (double e in v) s += e * e;
        return Math.Sqrt(s);
    }

    private static SingularMatrixException Overflow(DirectBackend backend) =>
        new(backend, -1, detail: "the solve produced NaN or infinity: the factors are singular to working precision");
}
