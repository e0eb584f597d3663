namespace LearnedSolvers.Tests.TestSupport;

/// <summary>
/// Finds the real test matrices and reads their INDEX.tsv: $LEARNEDSOLVERS_MATRICES when set, else the copy in the
/// repository (tests/data/matrices), else ../shared/matrices beside it.
/// </summary>
public static class SharedMatrices
{
    public static string Directory { get; } = Locate();

    public static string PathOf(string name) => System.IO.Path.Combine(Directory, name + ".mtx");

    /// <summary>(name, isSpd) for every matrix in INDEX.tsv.</summary>
    public static IReadOnlyList<(string Name, bool Spd)> Index()
    {
        var rows = new List<(string, bool)>();
        foreach (var line in File.ReadLines(System.IO.Path.Combine(Directory, "INDEX.tsv")).Skip(1))
        {
            if (string.IsNullOrWhiteSpace(line)) continue;
            var f = line.Split('\t');
            rows.Add((f[0], f[4].StartsWith("yes", StringComparison.Ordinal)));
        }
        return rows;
    }

    private static string Locate()
    {
        var env = Environment.GetEnvironmentVariable("LEARNEDSOLVERS_MATRICES");
        if (!string.IsNullOrEmpty(env)) return env;
        var inRepository = RepositoryFiles.PathOf("tests", "data", "matrices");
        if (File.Exists(System.IO.Path.Combine(inRepository, "INDEX.tsv"))) return inRepository;
        var shared = System.IO.Path.Combine(RepositoryFiles.Root, "..", "shared", "matrices");
        if (System.IO.Directory.Exists(shared)) return System.IO.Path.GetFullPath(shared);
        throw new DirectoryNotFoundException($"No test matrices at {inRepository} (nor ../shared/matrices); set LEARNEDSOLVERS_MATRICES.");
    }
}
