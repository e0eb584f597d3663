namespace LearnedSolvers.Cli;

/// <summary>
/// The points of a comparison's solves. The solvers time the whole solve, not each iteration, so iteration k of K is
/// placed at setup + k/K of the solve's time: exact at both ends, an even spread between (an iteration's cost varies
/// little within a method, except GMRES, whose later iterations in a cycle orthogonalise against more vectors).
/// </summary>
internal static class ConvergenceHistory
{
    public static IReadOnlyList<ConvergencePoint> Points(ComparisonRow row)
    {
        if (row.Report is not { } report) return [];
        var history = report.ResidualHistory;
        int last = Math.Max(1, history.Count - 1);
        return [.. history.Select((r, k) => new ConvergencePoint(row.Method, row.Preconditioner, k, r, report.SetupSeconds + report.Seconds * k / last))];
    }
}
