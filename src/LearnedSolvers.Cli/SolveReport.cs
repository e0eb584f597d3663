using System.Text.Json;
using System.Text.Json.Serialization;

namespace LearnedSolvers.Cli;

/// <summary>One solve as reported by `solve --json`, the demo and compare tables.</summary>
internal sealed record SolveReport(
    string Method,
    string Preconditioner,
    string Device,
    int Rows,
    long Nnz,
    bool Converged,
    string Reason,
    int Iterations,
    double RelativeResidual,
    double SetupSeconds,
    double Seconds,
    string? Message)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>
    /// ‖r_k‖/‖b‖ for k = 0..<see cref="Iterations"/>, the method's own estimate (<see cref="Krylov.SolveResult.ResidualHistory"/>);
    /// for plots and histories.csv, not the JSON report.
    /// </summary>
    [JsonIgnore]
    public IReadOnlyList<double> ResidualHistory { get; init; } = [];

    /// <summary>MPI ranks the solve ran across (under mpirun); null for a single-process solve.</summary>
    public int? Ranks { get; init; }

    /// <summary>`--method auto`: every method tried, in order, with why and how it ended; null for other methods.</summary>
    public IReadOnlyList<string>? Attempts { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
