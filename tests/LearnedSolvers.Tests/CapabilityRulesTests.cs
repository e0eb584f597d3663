using System.Text.RegularExpressions;
using LearnedSolvers.Devices;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests;

/// <summary>
/// The algorithm folders choose by capability (<see cref="IFusedApplyDot"/>, <see cref="IResidualOperator"/>,
/// <see cref="IDiagonalScaling"/>, <see cref="Device.PrefersDeviceScalars"/>, ...), never by concrete class: a type test
/// or cast to a device, a device matrix or a preconditioner class there would make a wrapper (a counting operator, a
/// distributed matrix) silently lose a fast path. This reads the sources and names every offending line.
/// </summary>
public class CapabilityRulesTests
{
    private static readonly string[] AlgorithmFolders = ["Krylov", "Multigrid", "Sequences", "Learned/Dcdm"];

    /// <summary>Devices, device matrices and preconditioners: every concrete class the algorithms must not ask for.</summary>
    private static IReadOnlyList<string> ConcreteClasses() =>
        typeof(ILinearOperator).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && !t.IsNested
                && (typeof(Device).IsAssignableFrom(t) || typeof(DeviceCsrMatrix).IsAssignableFrom(t) || typeof(IPreconditioner).IsAssignableFrom(t)))
            .Select(t => t.Name.Split('`')[0])
            .Append(nameof(DeviceCsrMatrix))
            .Distinct()
            .ToList();

    /// <summary>x is [not] T, x as T, (T)x, and a pattern match `T name`/`T {` after `is`.</summary>
    private static Regex ClassCheck(IEnumerable<string> names)
    {
        string alternatives = string.Join("|", names.Select(Regex.Escape));
        return new Regex($@"\b(is\s+(not\s+)?|as\s+)({alternatives})\b|\(\s*({alternatives})\s*\)\s*[\w(]", RegexOptions.Compiled);
    }

    /// <summary>The code of a line without its comment (prose may say "is Jacobi").</summary>
    private static string Code(string line)
    {
        int comment = line.IndexOf("//", StringComparison.Ordinal);
        return comment < 0 ? line : line[..comment];
    }

    [Fact]
    public void TheRule_RecognizesTypeTestsAndCasts()
    {
        var check = ClassCheck(["CpuDevice", "Jacobi", "DeviceCsrMatrix"]);
        Assert.Matches(check, "if (device is not CpuDevice) throw");
        Assert.Matches(check, "var d = (preconditioner as Jacobi)?.InverseDiagonal;");
        Assert.Matches(check, "Operator is DeviceCsrMatrix m && m.Rows == m.Columns");
        Assert.Matches(check, "var j = (Jacobi)preconditioner;");
        Assert.DoesNotMatch(check, "new Jacobi(a, device)");
        Assert.DoesNotMatch(check, "if (Preconditioner is IDiagonalScaling s)");
        Assert.Contains("CpuDevice", ConcreteClasses());
        Assert.Contains("Jacobi", ConcreteClasses());
        Assert.Contains("DeviceCsrMatrix", ConcreteClasses());
    }

    [Fact]
    public void AlgorithmFolders_AskForCapabilities_NotConcreteClasses()
    {
        var check = ClassCheck(ConcreteClasses());
        var offenders = new List<string>();
        int files = 0;
        foreach (var folder in AlgorithmFolders)
        {
            var path = RepositoryFiles.PathOf("src", "LearnedSolvers", folder);
            Assert.True(Directory.Exists(path), $"No source folder {path}");
            foreach (var file in Directory.EnumerateFiles(path, "*.cs", SearchOption.AllDirectories))
            {
                files++;
                var lines = File.ReadAllLines(file);
                for (int i = 0; i < lines.Length; i++)
                    if (check.IsMatch(Code(lines[i])))
                        offenders.Add($"{Path.GetRelativePath(RepositoryFiles.Root, file)}:{i + 1}: {lines[i].Trim()}");
            }
        }
        Assert.True(files > 20, $"Only {files} source files found under the algorithm folders.");
        Assert.True(offenders.Count == 0, "Type tests or casts to concrete classes:\n" + string.Join("\n", offenders));
    }
}
