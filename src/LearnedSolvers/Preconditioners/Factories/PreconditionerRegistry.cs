using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Multigrid;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>
/// The built-in preconditioners by name (case-insensitive), for the command line, configuration files and tests:
/// <c>PreconditionerRegistry.Get("ssor", new Dictionary&lt;string, string&gt; { ["omega"] = "1.4" })</c>.
/// Each entry turns text settings into its factory's options; a key an entry does not read is ignored, so one
/// settings bag serves whichever preconditioner is chosen. Adding a preconditioner is its factory file plus one line here.
/// </summary>
/// <remarks>
/// Settings: ssor: omega. ic0: shift (a number α ≥ 0, or "auto": grow it until the factorization succeeds), precision
/// (double or single: the factor held and applied in float; also read by ilu0, ssor, ilut, ilutp and ict). ilut:
/// drop-tolerance, fill. ilutp: drop-tolerance, fill, pivot-tolerance. ict: drop-tolerance, fill, shift (as ic0's). fsai: power
/// (1 to 3: G on the lower pattern of A, A² or A³). chebyshev: degree, lower-fraction. gmg, amg, rsamg: cycle (v|w|f),
/// smoother (jacobi|chebyshev|gauss-seidel), pre-sweeps, post-sweeps, chebyshev-degree, jacobi-weight, coarse-size,
/// max-levels, strength. neuralpcg, precorrector, learned-fsai: model (the trained model file; required). block-jacobi
/// (across MPI ranks only): local (the registered name of each rank's preconditioner, default ilu0), and that entry's own
/// settings from the same bag.
/// </remarks>
public static class PreconditionerRegistry
{
    private static readonly (string Name, Func<PreconditionerSettings, IPreconditionerFactory> Build)[] Entries =
    [
        ("none", _ => PreconditionerFactories.None()),
        ("jacobi", _ => PreconditionerFactories.Jacobi()),
        ("ssor", s => PreconditionerFactories.Ssor(new SsorOptions { Omega = s.Double("omega", new SsorOptions().Omega), Precision = PrecisionSetting(s) })),
        ("ic0", s => PreconditionerFactories.Ic0((s.Is("shift", "auto")
            ? new IncompleteCholesky0Options { GrowShift = true }
            : new IncompleteCholesky0Options { DiagonalShift = s.Double("shift", new IncompleteCholesky0Options().DiagonalShift) })
            with { Precision = PrecisionSetting(s) })),
        ("ilu0", s => PreconditionerFactories.Ilu0(PrecisionSetting(s))),
        ("ilut", s => PreconditionerFactories.Ilut(Ilut(s))),
        ("ilutp", s => PreconditionerFactories.Ilutp(Ilut(s) with { PivotTolerance = s.Double("pivot-tolerance", new IlutOptions().PivotTolerance) })),
        ("ict", s => PreconditionerFactories.Ict(Ict(s))),
        ("fsai", s => PreconditionerFactories.Fsai(new FsaiOptions { Power = s.Int("power", new FsaiOptions().Power) })),
        ("chebyshev", s => PreconditionerFactories.Chebyshev(Chebyshev(s, new ChebyshevOptions()))),
        ("gmg", s => PreconditionerFactories.Gmg(Multigrid(s, new MultigridOptions()))),
        ("amg", s => PreconditionerFactories.Amg(Multigrid(s, new MultigridOptions()))),
        ("rsamg", s => PreconditionerFactories.RsAmg(Multigrid(s, ClassicalAmg.DefaultOptions))),
        ("neuralpcg", s => Learned(s, LearnedFactorKind.NeuralPcg)),
        ("precorrector", s => Learned(s, LearnedFactorKind.PreCorrector)),
        ("learned-fsai", s => Learned(s, LearnedFactorKind.LearnedFsai)),
        ("block-jacobi", BlockJacobi),
    ];

    /// <summary>The default local preconditioner of block Jacobi: ILU(0) takes any matrix with a nonzero diagonal, symmetric or not.</summary>
    public const string DefaultBlockJacobiLocal = "ilu0";

    /// <summary>The registered names, lower case, in registration order ("none" first).</summary>
    public static IReadOnlyList<string> Names { get; } = Entries.Select(e => e.Name).ToArray();

    /// <summary>
    /// Every setting key some entry reads, lower case, sorted. <see cref="Get"/> ignores a key its entry does not read, so
    /// that one settings bag serves any entry; a caller that wants a misspelt key refused checks it against this list.
    /// </summary>
    public static IReadOnlyList<string> SettingKeys { get; } = CollectSettingKeys();

    /// <summary>True when <paramref name="name"/> is registered (any case).</summary>
    public static bool Contains(string name) => Find(name) is not null;

    /// <summary>The factory registered as <paramref name="name"/> (any case), configured from <paramref name="settings"/>.</summary>
    /// <param name="name">One of <see cref="Names"/>.</param>
    /// <param name="settings">Option values as text by key (see the remarks); null or absent keys keep the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is not registered (the message lists <see cref="Names"/>), or a setting does not parse.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A setting parses but is out of range.</exception>
    public static IPreconditionerFactory Get(string name, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        var build = Find(name) ?? throw new ArgumentException($"Unknown preconditioner '{name}'; expected one of {string.Join(", ", Names)}.", nameof(name));
        return build(new PreconditionerSettings(settings));
    }

    private static Func<PreconditionerSettings, IPreconditionerFactory>? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        string trimmed = name.Trim();
        foreach (var (entry, build) in Entries)
            if (string.Equals(entry, trimmed, StringComparison.OrdinalIgnoreCase)) return build;
        return null;
    }

    /// <summary>Builds every entry with no settings and records the keys each looks up: the list cannot fall behind the entries.</summary>
    private static string[] CollectSettingKeys()
    {
        var keys = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (_, build) in Entries)
        {
            var settings = new PreconditionerSettings(null);
            try
            {
                build(settings);
            }
            catch (ArgumentException)
            {
                // A required setting (a learned entry's model) is absent: the key was still looked up.
            }
            foreach (var key in settings.Asked) keys.Add(key.ToLowerInvariant());
        }
        return [.. keys];
    }

    /// <summary>Block Jacobi with the entry named by "local" built from the same settings (so "shift" reaches a local ic0).</summary>
    private static BlockJacobiFactory BlockJacobi(PreconditionerSettings s)
    {
        string local = s.Text("local", DefaultBlockJacobiLocal);
        if (string.Equals(local, "block-jacobi", StringComparison.OrdinalIgnoreCase) || string.Equals(local, "none", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException($"Preconditioner setting 'local' is '{local}'; block Jacobi needs a preconditioner for each rank's block (ic0, ilu0, amg, ...).", "local");
        var build = Find(local) ?? throw new ArgumentException(
            $"Preconditioner setting 'local' is '{local}'; expected one of {string.Join(", ", Names.Where(n => n is not "none" and not "block-jacobi"))}.", "local");
        return new BlockJacobiFactory(build(s));
    }

    private static LearnedFactorFactory Learned(PreconditionerSettings s, LearnedFactorKind kind) =>
        PreconditionerFactories.Learned(kind, s.Required("model", $"the .safetensors file of a trained {LearnedFactorModelFile.KindName(kind)} model (learnedsolvers train {LearnedFactorModelFile.KindName(kind)})"));

    private static IlutOptions Ilut(PreconditionerSettings s)
    {
        var d = new IlutOptions();
        return d with { DropTolerance = s.Double("drop-tolerance", d.DropTolerance), Fill = s.Int("fill", d.Fill), Precision = PrecisionSetting(s) };
    }

    /// <summary>The "precision" setting of the triangular-factor preconditioners: double (the default) or single.</summary>
    private static Precision PrecisionSetting(PreconditionerSettings s) => s.Enum("precision", Precision.Double);

    private static IctOptions Ict(PreconditionerSettings s)
    {
        var d = new IctOptions();
        d = d with { DropTolerance = s.Double("drop-tolerance", d.DropTolerance), Fill = s.Int("fill", d.Fill), Precision = PrecisionSetting(s) };
        return s.Is("shift", "auto") ? d with { GrowShift = true } : d with { DiagonalShift = s.Double("shift", d.DiagonalShift) };
    }

    private static ChebyshevOptions Chebyshev(PreconditionerSettings s, ChebyshevOptions d) => d with
    {
        Degree = s.Int("degree", d.Degree),
        LowerFraction = s.Double("lower-fraction", d.LowerFraction),
    };

    private static MultigridOptions Multigrid(PreconditionerSettings s, MultigridOptions d) => d with
    {
        Cycle = s.Enum("cycle", d.Cycle),
        Smoother = s.Enum("smoother", d.Smoother),
        PreSweeps = s.Int("pre-sweeps", d.PreSweeps),
        PostSweeps = s.Int("post-sweeps", d.PostSweeps),
        ChebyshevDegree = s.Int("chebyshev-degree", d.ChebyshevDegree),
        JacobiWeight = s.DoubleOrNull("jacobi-weight", d.JacobiWeight),
        CoarseSize = s.Int("coarse-size", d.CoarseSize),
        MaxLevels = s.Int("max-levels", d.MaxLevels),
        StrengthThreshold = s.Double("strength", d.StrengthThreshold),
    };
}
