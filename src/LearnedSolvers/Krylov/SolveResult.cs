namespace LearnedSolvers.Krylov;

/// <summary>
/// What a solve did. <see cref="RelativeResidual"/> is the true ‖b − Ax‖/‖b‖ recomputed from the returned x,
/// not the method's recursive estimate. <see cref="ResidualHistory"/> holds ‖r_k‖/‖b‖ for k = 0..Iterations
/// (the method's own residual estimate; empty when history is off).
/// </summary>
public sealed record SolveResult(
    bool Converged,
    StopReason Reason,
    int Iterations,
    double RelativeResidual,
    IReadOnlyList<double> ResidualHistory,
    TimeSpan Elapsed,
    string Message = "")
{
    public override string ToString() =>
        $"{Reason} after {Iterations} iterations, true relative residual {RelativeResidual:E3}, {Elapsed.TotalMilliseconds:F1} ms"
        + (Message.Length > 0 ? $" ({Message})" : "");
}
