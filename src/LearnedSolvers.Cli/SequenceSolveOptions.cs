using System.CommandLine;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Cli;

/// <summary>The options `dataset` and `sequence` share: how a sequence of systems is ordered, solved and compared.</summary>
internal sealed class SequenceSolveOptions
{
    public Option<string> Order { get; } = new Option<string>("--order") { DefaultValueFactory = _ => "skr", Description = "skr|natural" }.AcceptOnlyFromAmong("skr", "natural");
    public Option<string> Method { get; } = new Option<string>("--method") { DefaultValueFactory = _ => "gcrodr", Description = "gcrodr|gmres" }.AcceptOnlyFromAmong("gcrodr", "gmres");
    public Option<string> Precond { get; } = new Option<string>("--precond") { DefaultValueFactory = _ => "none", Description = string.Join("|", PreconditionerRegistry.Names) }
        .AcceptOnlyFromAmong([.. PreconditionerRegistry.Names]);
    public Option<int> Restart { get; } = new("--restart") { DefaultValueFactory = _ => 40, Description = "restart length m" };
    public Option<int> Recycle { get; } = new("--recycle") { DefaultValueFactory = _ => 15, Description = "GCRO-DR recycle dimension k" };
    public Option<double> Rtol { get; } = new("--rtol") { DefaultValueFactory = _ => 1e-8, Description = "relative tolerance per system" };
    public Option<bool> WarmStart { get; } = new("--warm-start") { Description = "start each solve from the previous solution in solve order" };
    public Option<bool> Baseline { get; } = new("--baseline") { Description = "also run GMRES(m) in natural order and report the speedup" };
    public Option<bool> Breakdown { get; } = new("--breakdown") { Description = "with --baseline: also ordering alone (GMRES, SKR order) and recycling alone (GCRO-DR, natural order)" };
}
