using System.Reflection;
using LearnedSolvers.Krylov;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace LearnedSolvers.Interop;

/// <summary>
/// The stop criteria of a MathNet <see cref="Iterator{T}"/> that our solvers can act on during the iteration, read
/// once before a solve: the iteration limit (<see cref="IterationCountStopCriterion{T}"/>) and the residual tolerance
/// (<see cref="ResidualStopCriterion{T}"/>); when a type appears twice, the stricter one counts. Other criteria
/// (divergence, failure, cancellation, delegates) are not acted on during the solve; <see cref="MathNetSolver"/>
/// evaluates every criterion once on the final iterate.
/// </summary>
/// <param name="MaximumIterations">The iteration limit, or null when the iterator has none.</param>
/// <param name="ResidualTolerance">MathNet's residual tolerance, or null when the iterator has none.</param>
public sealed record MathNetStopCriteria(int? MaximumIterations, double? ResidualTolerance)
{
    // Iterator<T> keeps its criteria private and has no accessor (MathNet.Numerics 5.0.0); reading the field is the
    // only way to honour the user's limits without running MathNet's own loop.
    private static readonly FieldInfo? CriteriaField =
        typeof(Iterator<double>).GetField("_stopCriteria", BindingFlags.Instance | BindingFlags.NonPublic);

    /// <summary>Reads the iterator's criteria; throws <see cref="NotSupportedException"/> if this MathNet version hides them elsewhere.</summary>
    public static MathNetStopCriteria From(Iterator<double> iterator)
    {
        ArgumentNullException.ThrowIfNull(iterator);
        if (CriteriaField?.GetValue(iterator) is not IEnumerable<IIterationStopCriterion<double>> criteria)
            throw new NotSupportedException("Cannot read the stop criteria of this MathNet.Numerics Iterator<double> (written against MathNet.Numerics 5.0.0).");

        int? maximumIterations = null;
        double? tolerance = null;
        foreach (var criterion in criteria)
        {
            switch (criterion)
            {
                case IterationCountStopCriterion<double> count:
                    maximumIterations = Math.Min(maximumIterations ?? int.MaxValue, count.MaximumNumberOfIterations);
                    break;
                case ResidualStopCriterion<double> residual:
                    tolerance = Math.Min(tolerance ?? double.PositiveInfinity, residual.Maximum);
                    break;
            }
        }
        return new MathNetStopCriteria(maximumIterations, tolerance);
    }

    /// <summary>
    /// Our options for right-hand side <paramref name="b"/>. MathNet's residual test is ‖r‖∞ &lt; tol · ‖b‖∞ (infinity
    /// norms, Templates criterion 2); ours is ‖r‖₂ ≤ rtol · ‖b‖₂. Since ‖r‖∞ ≤ ‖r‖₂, asking for ‖r‖₂ ≤ tol · ‖b‖∞, i.e.
    /// rtol = tol · ‖b‖∞/‖b‖₂, guarantees MathNet's test whenever ours passes. The ratio is rounded down to a power of
    /// two (at most twice as strict) so that right-hand sides of similar shape give equal options and
    /// <see cref="MathNetSolver"/> can reuse its solver. The price: on a spread-out residual ‖r‖∞ ≈ ‖r‖₂/√n, so this
    /// can ask for up to √n more than MathNet would, and MathNet's default 1e-12 may be out of reach in double
    /// precision on large systems; pass a <see cref="ResidualStopCriterion{T}"/> that suits the problem.
    /// Without a residual criterion (or with tolerance 0) MathNet never converges on the residual, so only an exactly
    /// zero residual stops ours early. Without an iteration limit the solve may run until its own method stops.
    /// History is off: MathNet callers cannot see it.
    /// </summary>
    public SolverOptions ToSolverOptions(ReadOnlySpan<double> b)
    {
        int maxIterations = MaximumIterations ?? int.MaxValue;
        if (ResidualTolerance is not { } tolerance || !(tolerance > 0))
            return new SolverOptions(RelativeTolerance: 0, AbsoluteTolerance: double.Epsilon, MaxIterations: maxIterations, RecordHistory: false);

        double infinityNorm = 0, sumOfSquares = 0;
        foreach (double v in b)
        {
            infinityNorm = Math.Max(infinityNorm, Math.Abs(v));
            sumOfSquares += v * v;
        }
        double ratio = infinityNorm / Math.Sqrt(sumOfSquares);
        // b = 0 or NaN: the solver answers those before using the tolerance; any valid value will do.
        ratio = double.IsFinite(ratio) && ratio > 0 ? Math.ScaleB(1.0, Math.ILogB(ratio)) : 1.0;
        double relative = tolerance * ratio;
        relative = double.IsFinite(relative) ? Math.Max(relative, double.Epsilon) : double.MaxValue;
        return new SolverOptions(RelativeTolerance: relative, AbsoluteTolerance: 0, MaxIterations: maxIterations, RecordHistory: false);
    }
}
