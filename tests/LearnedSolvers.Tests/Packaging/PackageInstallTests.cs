using System.Globalization;
using System.IO.Compression;
using System.Text.RegularExpressions;
using LearnedSolvers.Cli;

namespace LearnedSolvers.Tests.Packaging;

/// <summary>
/// The NuGet packages as a user meets them: the library restored into a fresh console project from a folder feed (and
/// nuget.org for its dependencies) and used as README's "Use it from C#" shows, and the command line installed as a
/// .NET tool and run. Skipped where `dotnet` with an SDK is not on PATH.
/// </summary>
public sealed partial class PackageInstallTests(PackedPackages packages, ITestOutputHelper output) : IClassFixture<PackedPackages>
{
    [Fact]
    public void LibraryPackage_CarriesDocsReadmeLicenseAndSymbols()
    {
        SkipWithoutSdk();
        string package = packages.Library(output);

        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (string expected in new[] { "README.md", "LICENSE", "lib/net10.0/LearnedSolvers.dll", "lib/net10.0/LearnedSolvers.xml" })
                Assert.True(entries.Contains(expected), $"{Path.GetFileName(package)} lacks {expected}; it holds: {string.Join(", ", entries.Order())}");
            using var reader = new StreamReader(zip.GetEntry("LearnedSolvers.nuspec")!.Open());
            string nuspec = reader.ReadToEnd();
            Assert.Contains("<license type=\"expression\">MIT</license>", nuspec);
            Assert.Contains("<readme>README.md</readme>", nuspec);
            Assert.Contains("<authors>LearnedSolvers contributors</authors>", nuspec);
            Assert.Contains("<dependency id=\"ILGPU\"", nuspec);
        }

        string symbols = Path.ChangeExtension(package, ".snupkg");
        Assert.True(File.Exists(symbols), $"no symbols package {symbols}");
        using var symbolZip = ZipFile.OpenRead(symbols);
        Assert.Contains(symbolZip.Entries, e => e.FullName == "lib/net10.0/LearnedSolvers.pdb");
    }

    [Fact]
    public void LibraryPackage_SolvesPoissonWithIc0Cg_InAFreshConsoleProject()
    {
        SkipWithoutSdk();
        packages.Library(output);
        string app = packages.NewFolder("consumer");
        packages.WriteNuGetConfig(app, withNuGetOrg: true);
        // An empty Directory.Build.props ends MSBuild's search upwards: nothing above the temporary folder leaks in.
        File.WriteAllText(Path.Combine(app, "Directory.Build.props"), "<Project />\n");
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <ImplicitUsings>enable</ImplicitUsings>
                <Nullable>enable</Nullable>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="LearnedSolvers" Version="{packages.Version}" />
              </ItemGroup>
            </Project>
            """);
        File.WriteAllText(Path.Combine(app, "Program.cs"), ConsumerProgram);

        // Offline, nuget.org fails and the cache (the fallback folder) still serves the dependencies.
        DotnetCli.Dotnet(output, app, "restore", "--ignore-failed-sources");
        DotnetCli.Dotnet(output, app, "build", "-c", "Release", "--no-restore", "-p:UseSharedCompilation=false", "-o", Path.Combine(app, "out"));
        string printed = DotnetCli.Dotnet(output, app, Path.Combine(app, "out", "Consumer.dll"));

        var line = TrueResidualLine().Match(printed);
        Assert.True(line.Success, $"The program printed no 'true residual=' line:\n{printed}");
        Assert.Equal("True", line.Groups["converged"].Value);
        double residual = double.Parse(line.Groups["residual"].Value, CultureInfo.InvariantCulture);
        Assert.True(residual <= 1e-8, $"true relative residual {residual:E3} > 1e-8:\n{printed}");
    }

    [Fact]
    public void ToolPackage_InstallsWithItsModels_AndRunsHelpAndDemo()
    {
        SkipWithoutSdk();
        string package = packages.Tool(output);
        using (var zip = ZipFile.OpenRead(package))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToHashSet();
            foreach (string model in new[] { DemoCommand.ShippedModelPath, DemoCommand.ShippedFactorModelPath })
            {
                string expected = "tools/net10.0/any/Models/" + Path.GetFileName(model);
                Assert.True(entries.Contains(expected), $"{Path.GetFileName(package)} lacks {expected}; it holds: {string.Join(", ", entries.Order())}");
            }
        }

        string home = packages.NewFolder("tool-install");
        string tools = Path.Combine(home, "tools");
        packages.WriteNuGetConfig(home, withNuGetOrg: false);
        DotnetCli.Dotnet(output, home, "tool", "install", "LearnedSolvers.Tool", "--version", packages.Version,
            "--tool-path", tools, "--configfile", Path.Combine(home, "nuget.config"), "--add-source", packages.Feed);

        string launcher = Path.Combine(tools, OperatingSystem.IsWindows() ? "learnedsolvers.exe" : "learnedsolvers");
        Assert.True(File.Exists(launcher), $"dotnet tool install left no {launcher}");
        string help = DotnetCli.Run(output, launcher, ["--help"], home);
        Assert.Contains("demo", help);
        Assert.Contains("solve", help);

        // The last two rows read the models beside the tool (AppContext.BaseDirectory/Models); they are left out without them.
        string demo = DotnetCli.Run(output, launcher, ["demo", "--n", "24"], home);
        Assert.Matches(@"(?m)^pcg\s+precorrector\s+\d+.*Converged", demo);
        Assert.Matches(@"(?m)^dcdm\s+network\s+\d+.*Converged", demo);
    }

    private static void SkipWithoutSdk()
    {
        Assert.SkipWhen(DotnetCli.Executable is null, "dotnet is not on PATH: the packages are not packed and installed.");
        Assert.SkipUnless(DotnetCli.HasSdk, "the dotnet on PATH has no SDK: the packages are not packed and installed.");
    }

    [GeneratedRegex(@"converged=(?<converged>\w+) iterations=\d+ true residual=(?<residual>\S+)")]
    private static partial Regex TrueResidualLine();

    /// <summary>README's "Use it from C#" on a generated problem; the residual is recomputed here from x, apart from the library's own.</summary>
    private const string ConsumerProgram = """
        using LearnedSolvers.Devices;
        using LearnedSolvers.Krylov;
        using LearnedSolvers.Preconditioners.Factories;
        using LearnedSolvers.Problems;

        var system = Poisson.TwoD(32);
        var a = system.Matrix;
        var device = Device.Cpu;
        using var da = device.Upload(a);
        var ic0 = PreconditionerFactories.Ic0(new IncompleteCholesky0Options { DiagonalShift = 0 });
        var m = ic0.Create(da);
        using var solver = new ConjugateGradient(da, m, new SolverOptions(RelativeTolerance: 1e-10));
        using var b = device.Upload(system.RightHandSide);
        using var x = device.Allocate(a.Rows);
        SolveResult result = solver.Solve(b, x);
        Console.WriteLine(result);

        var ax = new double[a.Rows];
        a.Multiply(x.ToArray(), ax);
        double rr = 0, bb = 0;
        for (int i = 0; i < ax.Length; i++)
        {
            double r = system.RightHandSide[i] - ax[i];
            rr += r * r;
            bb += system.RightHandSide[i] * system.RightHandSide[i];
        }
        Console.WriteLine(FormattableString.Invariant($"converged={result.Converged} iterations={result.Iterations} true residual={Math.Sqrt(rr / bb):E3}"));
        """;
}
