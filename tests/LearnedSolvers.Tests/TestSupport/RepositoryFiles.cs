namespace LearnedSolvers.Tests.TestSupport;

/// <summary>The repository this test assembly was built from: the folder above it that holds LearnedSolvers.sln.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = Locate();

    /// <summary>A path inside the repository, from its parts (e.g. "src", "LearnedSolvers").</summary>
    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    private static string Locate()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "LearnedSolvers.sln"))) return dir.FullName;
        throw new DirectoryNotFoundException("Could not find the repository root (LearnedSolvers.sln) above " + AppContext.BaseDirectory);
    }
}
