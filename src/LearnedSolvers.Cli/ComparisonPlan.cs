using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Cli;

/// <summary>
/// Which method and preconditioner pairs `compare` runs. A pair applies when the preconditioner runs on the device,
/// when a CG method (cg, pcg, fcg) meets a symmetric matrix and a symmetric preconditioner (CG's recurrences assume
/// both), and when a method that is not flexible meets a linear preconditioner. A learned preconditioner applies only
/// with a model file, and then only the kind the file holds. cg runs without a preconditioner and pcg and fcg with
/// one, so that no pair is the same solve twice.
/// </summary>
/// <remarks>
/// --methods syntax: comma-separated entries METHOD or METHOD:PRECOND ("pcg:ic0,gmres:ilu0,cg"). A bare METHOD
/// stands for every pair with that method that the full comparison would run; METHOD:PRECOND names one pair, which
/// must apply. "direct" (the sparse direct solver) and "auto" (the automatic choice) take no preconditioner and run
/// only when named: a factorization can cost hours on a large 3-D problem, and auto repeats the others' rows.
/// </remarks>
internal sealed class ComparisonPlan
{
    /// <summary>The methods compare knows, in table order.</summary>
    public static IReadOnlyList<KrylovMethod> Methods { get; } =
        [KrylovMethod.Cg, KrylovMethod.Pcg, KrylovMethod.Fcg, KrylovMethod.Gmres, KrylovMethod.Fgmres, KrylovMethod.BiCgStab, KrylovMethod.GcroDr];

    private static string MethodNames => string.Join(", ", Methods.Select(m => m.ToString().ToLowerInvariant()).Concat(MethodPair.ChosenMethods));

    private readonly bool _symmetric;
    private readonly Device _device;
    private readonly Func<string, IPreconditionerFactory> _factory;
    private readonly LearnedFactorKind? _learned;

    /// <param name="symmetric">Whether A is symmetric.</param>
    /// <param name="device">Where the solves run.</param>
    /// <param name="factory">The configured factory for a registered name.</param>
    /// <param name="learned">The kind of the --model file, or null without one.</param>
    public ComparisonPlan(bool symmetric, Device device, Func<string, IPreconditionerFactory> factory, LearnedFactorKind? learned)
    {
        _symmetric = symmetric;
        _device = device;
        _factory = factory;
        _learned = learned;
    }

    /// <summary>Every applicable pair, methods in <see cref="Methods"/> order and preconditioners in registry order.</summary>
    public IReadOnlyList<MethodPair> All() => [.. Methods.SelectMany(PairsFor)];

    /// <summary>The pairs a --methods value names, in its order, without repeats.</summary>
    /// <exception cref="UsageException">An entry names an unknown method or preconditioner, or a pair that does not apply.</exception>
    public IReadOnlyList<MethodPair> Select(string methods)
    {
        var pairs = new List<MethodPair>();
        var entries = methods.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (entries.Length == 0) throw new UsageException($"--methods is empty; give entries METHOD or METHOD:PRECOND, METHOD one of {MethodNames}");
        foreach (var entry in entries)
        {
            var parts = entry.Split(':', StringSplitOptions.TrimEntries);
            if (parts.Length > 2) throw new UsageException($"--methods entry '{entry}' is not METHOD or METHOD:PRECOND");
            if (MethodPair.ChosenMethods.FirstOrDefault(c => string.Equals(c, parts[0], StringComparison.OrdinalIgnoreCase)) is { } chosen)
            {
                if (parts.Length > 1) throw new UsageException($"--methods entry '{entry}': {chosen} chooses its own preconditioning; name it without :PRECOND");
                var pair = chosen == "direct" ? MethodPair.Direct : MethodPair.Auto;
                if (!pairs.Contains(pair)) pairs.Add(pair);
                continue;
            }
            var method = ParseMethod(parts[0], entry);
            IEnumerable<MethodPair> named;
            if (parts.Length == 1)
            {
                named = PairsFor(method);
                if (!named.Any()) throw new UsageException($"--methods entry '{entry}': {Refusal(method, null) ?? "no preconditioner applies"}");
            }
            else
            {
                string precond = parts[1].ToLowerInvariant();
                if (!PreconditionerRegistry.Contains(precond))
                    throw new UsageException($"--methods entry '{entry}': unknown preconditioner '{parts[1]}'; expected one of {string.Join(", ", PreconditionerRegistry.Names)}");
                if (Refusal(method, precond) is { } why) throw new UsageException($"--methods entry '{entry}': {why}");
                named = [new MethodPair(method, precond)];
            }
            foreach (var pair in named)
                if (!pairs.Contains(pair)) pairs.Add(pair);
        }
        return pairs;
    }

    private static KrylovMethod ParseMethod(string name, string entry)
    {
        var method = Methods.FirstOrDefault(m => string.Equals(m.ToString(), name, StringComparison.OrdinalIgnoreCase), (KrylovMethod)(-1));
        return Enum.IsDefined(method) ? method : throw new UsageException($"--methods entry '{entry}': unknown method '{name}'; expected one of {MethodNames}");
    }

    private IEnumerable<MethodPair> PairsFor(KrylovMethod method) =>
        PreconditionerRegistry.Names
            .Where(p => IsDistinct(method, p) && Refusal(method, p) is null)
            .Select(p => new MethodPair(method, p));

    /// <summary>cg is CG without a preconditioner, pcg and fcg with one: pcg:none would repeat cg, and fcg:none is CG again.</summary>
    private static bool IsDistinct(KrylovMethod method, string precond) => method switch
    {
        KrylovMethod.Cg => precond == "none",
        KrylovMethod.Pcg or KrylovMethod.Fcg => precond != "none",
        _ => true,
    };

    /// <summary>Why <paramref name="method"/> with <paramref name="precond"/> (null: any) does not apply, or null when it does.</summary>
    private string? Refusal(KrylovMethod method, string? precond)
    {
        bool cgFamily = method is KrylovMethod.Cg or KrylovMethod.Pcg or KrylovMethod.Fcg;
        string name = method.ToString().ToLowerInvariant();
        if (cgFamily && !_symmetric) return $"{name} needs a symmetric matrix, and A is not symmetric";
        if (precond is null) return null;
        if (LearnedFactorModelFile.KindFromName(precond) is { } kind && kind != _learned)
            return _learned is null
                ? $"{precond} needs --model FILE (train one with 'learnedsolvers train {precond}')"
                : $"the --model file holds a {LearnedFactorModelFile.KindName(_learned.Value)} model, not {precond}";
        var factory = _factory(precond);
        if (!factory.Supports(_device)) return $"{precond} runs on {factory.Devices}, not on {_device.Name}";
        if (cgFamily && !factory.IsSymmetric) return $"{name} needs a symmetric preconditioner, and {precond} is not";
        if (method is not (KrylovMethod.Fcg or KrylovMethod.Fgmres) && !factory.IsLinear) return $"{precond} changes between iterations; use fcg or fgmres";
        return null;
    }
}
