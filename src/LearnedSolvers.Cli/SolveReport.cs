using System.Text.Json;
using System.Text.Json.Serialization;

namespace LearnedSolvers.Cli;

/// <summary>One solve as reported by `solve --json` and the demo table.</summary>
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

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}
