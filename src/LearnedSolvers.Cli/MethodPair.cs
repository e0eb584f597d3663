using LearnedSolvers.Krylov;

namespace LearnedSolvers.Cli;

/// <summary>
/// One row of a comparison: a Krylov method and a registered preconditioner's name, or a method that chooses its own
/// (<see cref="Chosen"/>: "direct" factors A, "auto" picks and falls back; the preconditioner column then names what ran).
/// </summary>
internal sealed record MethodPair(KrylovMethod Method, string Preconditioner, string? Chosen = null)
{
    /// <summary>The methods that need no preconditioner name, as --methods spells them.</summary>
    public static IReadOnlyList<string> ChosenMethods { get; } = ["direct", "auto"];

    public static MethodPair Direct { get; } = new(KrylovMethod.Cg, "-", "direct");

    public static MethodPair Auto { get; } = new(KrylovMethod.Cg, "-", "auto");

    public string MethodName => Chosen ?? Method.ToString().ToLowerInvariant();

    public override string ToString() => Chosen ?? $"{MethodName}:{Preconditioner}";
}
