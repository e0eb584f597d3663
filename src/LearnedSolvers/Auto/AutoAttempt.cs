using System.Globalization;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Auto;

/// <summary>
/// One method <see cref="AutoSolver"/> tried on one right-hand side: why it was on the list, and how it ended — a
/// solve result (its true residual recomputed on the original system) or the setup error that ruled it out.
/// </summary>
public sealed record AutoAttempt(AutoStrategy Strategy, SolveResult? Result, string? SetupError, TimeSpan SetupTime)
{
    /// <summary>The attempt reached the tolerance.</summary>
    public bool Succeeded => Result is { Converged: true };

    /// <summary>"ilutp-gmres (nonsymmetric with zero diagonal entries): MaxIterations after 1000 iterations, residual 3.1E-04".</summary>
    public override string ToString()
    {
        string head = $"{Strategy.Name} ({Strategy.Reason})";
        if (SetupError is not null) return $"{head}: setup failed: {SetupError}";
        var r = Result!;
        string outcome = r.Converged
            ? string.Create(CultureInfo.InvariantCulture, $"converged in {r.Iterations} iterations, residual {r.RelativeResidual:E2}")
            : string.Create(CultureInfo.InvariantCulture, $"{r.Reason} after {r.Iterations} iterations, residual {r.RelativeResidual:E2}")
              + (r.Message.Length > 0 ? $" ({r.Message})" : "");
        return string.Create(CultureInfo.InvariantCulture, $"{head}: {outcome}, setup {SetupTime.TotalMilliseconds:F0} ms, solve {r.Elapsed.TotalMilliseconds:F0} ms");
    }
}
