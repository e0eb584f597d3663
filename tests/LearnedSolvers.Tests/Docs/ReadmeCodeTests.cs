using System.Text.RegularExpressions;
using LearnedSolvers.Tests.TestSupport;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LearnedSolvers.Tests.Docs;

/// <summary>
/// The README's code compiles as written. Its convention, stated above its first C# block: every ```csharp block is a
/// console program's top-level statements, compiled with the implicit usings of a console project, the using
/// directives of the blocks before it, and the variables a, b, device, da, db and x of the first block.
/// The C snippet calls only functions and reads only result fields that native/include/learnedsolvers.h declares;
/// native/'s CTest examples run the C, C++, Fortran and Python bindings themselves.
/// </summary>
public sealed class ReadmeCodeTests
{
    public static TheoryData<int> CSharpBlockLines => new(Readme.BlocksIn("csharp").Select(b => b.Line));

    [Theory]
    [MemberData(nameof(CSharpBlockLines))]
    public void CSharpBlock_Compiles(int line)
    {
        var blocks = Readme.BlocksIn("csharp").ToList();
        int index = blocks.FindIndex(b => b.Line == line);
        var usings = blocks.Take(index + 1).SelectMany(b => UsingDirectives(b.Text)).Distinct();
        var body = string.Join('\n', blocks[index].Text.Split('\n').Where(l => !IsUsingDirective(l)));
        var program = string.Join('\n', usings) + "\n#line " + line + " \"README.md\"\n" + body + "\n";

        var errors = Compile(program).Where(d => d.Severity == DiagnosticSeverity.Error).ToList();

        Assert.True(errors.Count == 0, $"README.md's C# block at line {line} ({blocks[index].Section}) does not compile:\n" + string.Join('\n', errors));
    }

    [Fact]
    public void CSnippet_UsesOnlyDeclaredFunctionsAndResultFields()
    {
        var header = File.ReadAllText(RepositoryFiles.PathOf("native", "include", "learnedsolvers.h"));
        var declared = Regex.Matches(header, @"LS_API\s[^;]*?\b(ls_\w+)\s*\(").Select(m => m.Groups[1].Value).ToHashSet();
        var resultStruct = Regex.Match(header, @"typedef struct ls_result \{(?<body>.*?)\} ls_result;", RegexOptions.Singleline).Groups["body"].Value;
        var fields = Regex.Matches(resultStruct, @"(\w+)\s*;").Select(m => m.Groups[1].Value).ToHashSet();
        var snippets = Readme.BlocksIn("c").ToList();
        Assert.NotEmpty(snippets);

        foreach (var snippet in snippets)
        {
            var called = Regex.Matches(snippet.Text, @"\b(ls_\w+)\s*\(").Select(m => m.Groups[1].Value).ToList();
            Assert.NotEmpty(called);
            Assert.All(called, f => Assert.Contains(f, declared));
            var read = Regex.Matches(snippet.Text, @"\.([a-z_]+)\b").Select(m => m.Groups[1].Value).ToList();
            Assert.All(read, f => Assert.Contains(f, fields));
        }
    }

    /// <summary>What the first block declares, for the blocks that continue it; never run.</summary>
    private const string FirstBlockVariables = """
        using LearnedSolvers.Devices;
        using LearnedSolvers.Sparse;

        public static class ReadmeFirstBlock
        {
            public static CsrMatrix a => throw null!;
            public static double[] b => throw null!;
            public static Device device => throw null!;
            public static DeviceCsrMatrix da => throw null!;
            public static DeviceVector db => throw null!;
            public static DeviceVector x => throw null!;
        }
        """;

    private const string ConsoleImplicitUsings = """
        global using System;
        global using System.Collections.Generic;
        global using System.IO;
        global using System.Linq;
        global using System.Net.Http;
        global using System.Threading;
        global using System.Threading.Tasks;
        global using static ReadmeFirstBlock;
        """;

    private static readonly Lazy<MetadataReference[]> References = new(() =>
        ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("LearnedSolvers.Tests", StringComparison.Ordinal)
                        && !Path.GetFileName(p).StartsWith("LearnedSolvers.Cli", StringComparison.Ordinal))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p)).ToArray());

    private static IEnumerable<Diagnostic> Compile(string program)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "ReadmeBlock",
            [
                CSharpSyntaxTree.ParseText(ConsoleImplicitUsings, parse, "Usings.cs"),
                CSharpSyntaxTree.ParseText(FirstBlockVariables, parse, "FirstBlock.cs"),
                CSharpSyntaxTree.ParseText(program, parse, "Program.cs"),
            ],
            References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable));
        return compilation.GetDiagnostics();
    }

    private static bool IsUsingDirective(string line) => Regex.IsMatch(line, @"^using\s+(static\s+)?[\w.]+\s*;\s*(//.*)?$");

    private static IEnumerable<string> UsingDirectives(string block) =>
        block.Split('\n').Where(IsUsingDirective).Select(l => Regex.Replace(l, @"\s*//.*$", "").Trim());
}
