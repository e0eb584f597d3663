using LearnedSolvers.Krylov;

namespace LearnedSolvers.Cli;

/// <summary>A Krylov method and a registered preconditioner's name: one row of a comparison.</summary>
internal sealed record MethodPair(KrylovMethod Method, string Preconditioner)
{
    public string MethodName => Method.ToString().ToLowerInvariant();

    public override string ToString() => $"{MethodName}:{Preconditioner}";
}
