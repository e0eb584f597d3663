namespace LearnedSolvers.Cli;

/// <summary>One pair's outcome in a comparison: its solve, or the reason its setup failed (then <see cref="Report"/> is null).</summary>
internal sealed record ComparisonRow(string Method, string Preconditioner, SolveReport? Report, string? SetupFailure = null)
{
    public static ComparisonRow Solved(SolveReport report, string? preconditionerLabel = null) =>
        new(report.Method, preconditionerLabel ?? report.Preconditioner, report);

    /// <summary>What stopped it: the solver's stop reason, or the setup failure.</summary>
    public string StopReason => Report?.Reason ?? $"setup failed: {SetupFailure}";

    /// <summary>The legend and CSV label.</summary>
    public string Label => $"{Method} + {Preconditioner}";
}
