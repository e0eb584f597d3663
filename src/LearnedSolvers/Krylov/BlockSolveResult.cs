namespace LearnedSolvers.Krylov;

/// <summary>The outcome of a solve with k right-hand sides: one <see cref="SolveResult"/> per column, and the whole solve's time.</summary>
public sealed record BlockSolveResult(IReadOnlyList<SolveResult> Columns, TimeSpan Elapsed)
{
    /// <summary>True when every column converged.</summary>
    public bool Converged => Columns.All(c => c.Converged);

    /// <summary>The largest true relative residual over the columns.</summary>
    public double MaxRelativeResidual => Columns.Count == 0 ? 0 : Columns.Max(c => c.RelativeResidual);

    /// <summary>The most iterations any column took.</summary>
    public int MaxIterations => Columns.Count == 0 ? 0 : Columns.Max(c => c.Iterations);

    public override string ToString()
    {
        int converged = Columns.Count(c => c.Converged);
        return $"{converged} of {Columns.Count} columns converged, at most {MaxIterations} iterations, largest true relative residual "
            + $"{MaxRelativeResidual:E3}, {Elapsed.TotalMilliseconds:F1} ms";
    }
}
