using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Factors;

/// <summary>A training system of a learned factor: A, a right-hand side b and the solution x of A x = b.</summary>
public sealed record FactorTrainingPair(CsrMatrix Matrix, double[] RightHandSide, double[] Solution)
{
    public CsrMatrix Matrix { get; } = Check(Matrix, RightHandSide, Solution);

    private static CsrMatrix Check(CsrMatrix a, double[] b, double[] x)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        ArgumentNullException.ThrowIfNull(x);
        if (!a.IsSquare) throw new ArgumentException($"A training matrix must be square; this one is {a.Rows} x {a.Columns}.", nameof(Matrix));
        if (b.Length != a.Rows) throw new ArgumentException($"b has {b.Length} entries; A has {a.Rows} rows.", nameof(RightHandSide));
        if (x.Length != a.Rows) throw new ArgumentException($"x has {x.Length} entries; A has {a.Rows} rows.", nameof(Solution));
        return a;
    }
}
