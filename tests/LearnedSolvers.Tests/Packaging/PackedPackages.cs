using System.Reflection;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Packaging;

/// <summary>
/// The library and tool packages, packed once per test class into a folder feed of their own from the outputs this test
/// run built (<c>dotnet pack --no-build</c>; a build only where those outputs are missing). Each run packs a version of
/// its own (the library's version with a <c>-pkgtest.*</c> suffix), so a package some earlier run or a user left in a
/// NuGet cache can never stand in for the one under test. Everything lives under one temporary folder, removed on dispose.
/// </summary>
public sealed class PackedPackages : IDisposable
{
#if DEBUG
    public const string Configuration = "Debug";
#else
    public const string Configuration = "Release";
#endif

    private readonly Lock _gate = new();
    private string? _library, _tool;

    public PackedPackages()
    {
        Root = Directory.CreateTempSubdirectory("learnedsolvers-packaging-").FullName;
        Feed = Directory.CreateDirectory(Path.Combine(Root, "feed")).FullName;
        string released = typeof(LearnedSolvers.Sparse.CsrMatrix).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion.Split('+')[0];
        Version = $"{released}-pkgtest.t{Guid.NewGuid().ToString("N")[..12]}";
    }

    /// <summary>The temporary folder that holds the feed and every project the tests create.</summary>
    public string Root { get; }

    /// <summary>The folder feed the packages are packed into.</summary>
    public string Feed { get; }

    /// <summary>The version both packages carry in this run.</summary>
    public string Version { get; }

    /// <summary>The library package (packed on first use, with its .snupkg beside it; the pack output goes to that test's log).</summary>
    public string Library(ITestOutputHelper log)
    {
        lock (_gate) return _library ??= Pack(log, "LearnedSolvers", "LearnedSolvers");
    }

    /// <summary>The tool package (packed on first use).</summary>
    public string Tool(ITestOutputHelper log)
    {
        lock (_gate) return _tool ??= Pack(log, "LearnedSolvers.Cli", "LearnedSolvers.Tool");
    }

    /// <summary>A new empty folder under <see cref="Root"/>.</summary>
    public string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(Root, name)).FullName;

    /// <summary>
    /// A nuget.config for a project or tool install under <see cref="Root"/>: the feed first, then nuget.org where
    /// <paramref name="withNuGetOrg"/>; packages extract into a folder of this run, and the user's NuGet cache serves
    /// as a read-only fallback, so that the library's dependencies (ILGPU, MathNet, PureHDF) come from it without a
    /// download when they are there, and nothing of this run lands in it.
    /// </summary>
    public void WriteNuGetConfig(string folder, bool withNuGetOrg)
    {
        string userCache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string fallback = Directory.Exists(userCache) ? $"""<add key="user-cache" value="{userCache}" />""" : "";
        string nugetOrg = withNuGetOrg ? """<add key="nuget.org" value="https://api.nuget.org/v3/index.json" protocolVersion="3" />""" : "";
        File.WriteAllText(Path.Combine(folder, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config>
                <add key="globalPackagesFolder" value="{Path.Combine(Root, "packages")}" />
              </config>
              <packageSources>
                <clear />
                <add key="under-test" value="{Feed}" />
                {nugetOrg}
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                {fallback}
              </fallbackPackageFolders>
            </configuration>
            """);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    private string Pack(ITestOutputHelper log, string project, string packageId)
    {
        string folder = RepositoryFiles.PathOf("src", project);
        bool built = File.Exists(Path.Combine(folder, "bin", Configuration, "net10.0", project + ".dll"));
        var arguments = new List<string>
        {
            "pack", Path.Combine(folder, project + ".csproj"), "-c", Configuration, "-o", Feed,
            $"-p:PackageVersion={Version}",
            // Pack's intermediate files go to this run's folder rather than the repository's obj/ and bin/.
            $"-p:NuspecOutputPath={Path.Combine(Root, "nuspec", project)}{Path.DirectorySeparatorChar}",
            $"-p:PublishDir={Path.Combine(Root, "publish", project)}{Path.DirectorySeparatorChar}",
        };
        if (built) arguments.Add("--no-build");
        DotnetCli.Dotnet(log, Root, [.. arguments]);
        string package = Path.Combine(Feed, $"{packageId}.{Version}.nupkg");
        Assert.True(File.Exists(package), $"dotnet pack did not produce {package}; the feed holds: {string.Join(", ", Directory.GetFiles(Feed).Select(Path.GetFileName))}");
        return package;
    }
}
