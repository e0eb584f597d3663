using System.Runtime.InteropServices;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// Finds SuiteSparse's shared libraries at run time (nothing is linked at build time, so the package runs without
/// them and falls back to the managed factorizations). Loading never throws: a missing library, a missing function or
/// an unknown structure layout leaves that component unavailable with a reason. Setting the environment variable
/// <c>LEARNEDSOLVERS_SUITESPARSE</c> to <c>off</c>, <c>0</c> or <c>false</c> hides SuiteSparse altogether.
/// </summary>
public static class SuiteSparseLibrary
{
    /// <summary>The environment variable that hides SuiteSparse when it is "off", "0" or "false".</summary>
    public const string SwitchVariable = "LEARNEDSOLVERS_SUITESPARSE";

    private static readonly Lazy<SuiteSparseAvailability> s_current =
        new(() => Probe(Environment.GetEnvironmentVariable(SwitchVariable)), LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>What this process found, probed once on first use with the environment's <see cref="SwitchVariable"/>.</summary>
    public static SuiteSparseAvailability Current => s_current.Value;

    /// <summary>True when at least one SuiteSparse component can be used in this process.</summary>
    public static bool IsAvailable => Current.IsAvailable;

    /// <summary>Why SuiteSparse cannot be used in this process, or null when it can.</summary>
    public static string? UnavailableReason => Current.UnavailableReason;

    /// <summary>The SuiteSparse release libsuitesparseconfig reports, or null.</summary>
    public static Version? Version => Current.Version;

    /// <summary>KLU in this process.</summary>
    public static SuiteSparseComponent Klu => Current.Klu;

    /// <summary>UMFPACK in this process.</summary>
    public static SuiteSparseComponent Umfpack => Current.Umfpack;

    /// <summary>CHOLMOD in this process.</summary>
    public static SuiteSparseComponent Cholmod => Current.Cholmod;

    /// <summary>AMD in this process.</summary>
    public static SuiteSparseComponent Amd => Current.Amd;

    /// <summary>True when <paramref name="switchValue"/> (the value of <see cref="SwitchVariable"/>) hides SuiteSparse.</summary>
    public static bool IsHiddenBy(string? switchValue) =>
        switchValue?.Trim().ToLowerInvariant() is "off" or "0" or "false";

    /// <summary>
    /// Looks for the libraries as if <see cref="SwitchVariable"/> had the value <paramref name="switchValue"/> (null:
    /// unset). <see cref="Current"/> is this, called once with the environment's value; calling it again loads nothing
    /// new (the operating system keeps one copy of each library).
    /// </summary>
    public static SuiteSparseAvailability Probe(string? switchValue)
    {
        if (IsHiddenBy(switchValue))
        {
            string hidden = $"hidden by {SwitchVariable}={switchValue!.Trim()}";
            return new SuiteSparseAvailability(Hidden("KLU", hidden), Hidden("UMFPACK", hidden), Hidden("CHOLMOD", hidden),
                Hidden("AMD", hidden), null, hidden);
        }

        var klu = Bind("KLU", "klu", [1, 2], e => (KluApi.Bind(e, out var r), r, (Version?)null), out var kluApi);
        var umfpack = Bind("UMFPACK", "umfpack", [5, 6], e => (UmfpackApi.Bind(e, out var r), r, (Version?)null), out var umfpackApi);
        var cholmod = Bind("CHOLMOD", "cholmod", [3, 4, 5], e => (CholmodApi.Bind(e, out var r, out var v), r, v), out var cholmodApi);
        var amd = Bind("AMD", "amd", [2, 3], e => (AmdApi.Bind(e, out var r), r, (Version?)null), out var amdApi);
        return new SuiteSparseAvailability(klu, umfpack, cholmod, amd, SuiteSparseVersion(), null, kluApi, umfpackApi, cholmodApi, amdApi);
    }

    /// <summary>The library file names to try for <paramref name="stem"/> on this operating system, versioned first.</summary>
    internal static IReadOnlyList<string> CandidateNames(string stem, IReadOnlyList<int> majorVersions)
    {
        var names = new List<string>();
        if (OperatingSystem.IsWindows())
        {
            names.Add($"{stem}.dll");
            names.Add($"lib{stem}.dll");
        }
        else if (OperatingSystem.IsMacOS())
        {
            names.AddRange(majorVersions.Select(v => $"lib{stem}.{v}.dylib"));
            names.Add($"lib{stem}.dylib");
        }
        else
        {
            names.AddRange(majorVersions.Select(v => $"lib{stem}.so.{v}"));
            names.Add($"lib{stem}.so");
        }
        return names;
    }

    private static SuiteSparseComponent Hidden(string name, string reason) => new(name, false, null, null, reason);

    private static SuiteSparseComponent Bind<TApi>(string name, string stem, int[] majorVersions,
        Func<NativeExports, (TApi? Api, string? Reason, Version? Version)> bind, out TApi? api) where TApi : class
    {
        api = null;
        var candidates = CandidateNames(stem, majorVersions);
        string? loaded = null;
        try
        {
            foreach (var candidate in candidates)
            {
                if (!NativeLibrary.TryLoad(candidate, out nint handle)) continue;
                loaded = candidate;
                var (bound, reason, version) = bind(new NativeExports(handle, candidate));
                api = bound;
                return new SuiteSparseComponent(name, bound is not null, candidate, version, reason);
            }
        }
        catch (Exception e) when (e is BadImageFormatException or EntryPointNotFoundException or DllNotFoundException or InvalidOperationException)
        {
            return new SuiteSparseComponent(name, false, loaded, null, $"{loaded ?? stem} could not be used: {e.Message}");
        }
        return new SuiteSparseComponent(name, false, null, null, $"lib{stem} not found (tried {string.Join(", ", candidates)})");
    }

    /// <summary>SuiteSparse_version from libsuitesparseconfig, which every component links against.</summary>
    private static unsafe Version? SuiteSparseVersion()
    {
        foreach (var candidate in CandidateNames("suitesparseconfig", [5, 7, 4]))
        {
            if (!NativeLibrary.TryLoad(candidate, out nint handle)) continue;
            if (!NativeLibrary.TryGetExport(handle, "SuiteSparse_version", out nint address)) return null;
            var v = stackalloc int[3];
            ((delegate* unmanaged[Cdecl]<int*, int>)address)(v);
            return new Version(v[0], v[1], v[2]);
        }
        return null;
    }

    internal static KluApi RequireKlu() => Current.KluApi ?? throw new SuiteSparseUnavailableException(Current.Klu);

    internal static UmfpackApi RequireUmfpack() => Current.UmfpackApi ?? throw new SuiteSparseUnavailableException(Current.Umfpack);

    internal static CholmodApi RequireCholmod() => Current.CholmodApi ?? throw new SuiteSparseUnavailableException(Current.Cholmod);

    internal static AmdApi RequireAmd() => Current.AmdApi ?? throw new SuiteSparseUnavailableException(Current.Amd);
}
