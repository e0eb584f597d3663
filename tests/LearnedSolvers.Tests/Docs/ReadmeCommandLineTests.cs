using System.CommandLine;
using System.CommandLine.Help;
using System.Text.Json;
using System.Text.RegularExpressions;
using LearnedSolvers.Cli;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Docs;

/// <summary>
/// The README's command line is the parser's: each command's synopsis line names exactly the options that command
/// accepts, the `--json` field list is SolveReport's, and the tour's commands run and succeed.
/// </summary>
public sealed class ReadmeCommandLineTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-readme-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static readonly Command Root = CliApp.CreateRoot(TextWriter.Null, TextWriter.Null);

    [Fact]
    public void Synopsis_NamesEveryOptionOfEveryCommand_AndNoOther()
    {
        var synopsis = SynopsisLines();
        var leaves = Leaves(Root, "").ToDictionary(l => l.Path, l => l.Command);

        Assert.Empty(synopsis.Keys.Except(leaves.Keys));
        Assert.Empty(leaves.Keys.Except(synopsis.Keys));
        var wrong = new List<string>();
        foreach (var (path, command) in leaves)
        {
            var accepted = command.Options.Where(o => o is not HelpOption and not VersionOption && !o.Hidden).Select(o => o.Name).ToHashSet();
            var named = synopsis[path];
            if (!named.SetEquals(accepted))
                wrong.Add($"'{path}': missing {string.Join(" ", accepted.Except(named))}; unknown {string.Join(" ", named.Except(accepted))}");
        }
        Assert.True(wrong.Count == 0, "README synopsis:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public void JsonFieldList_IsSolveReportsFields()
    {
        var report = new SolveReport("cg", "none", "cpu", 1, 1, true, "converged", 1, 0, 0, 0, "a message");
        using var json = JsonDocument.Parse(report.ToJson());
        var fields = json.RootElement.EnumerateObject().Select(p => p.Name).ToList();

        Assert.Equal(fields, JsonFieldsInReadme());
    }

    [Fact]
    public void Tour_CommandsRunAndSucceed()
    {
        var commands = Readme.Blocks.Where(b => b.Section == "Tour" && b.Language == "sh")
            .SelectMany(b => b.Text.Split('\n'))
            .Select(l => Regex.Replace(l, @"\s#.*$", "").Trim())
            .Where(l => l.StartsWith("learnedsolvers ", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(commands);

        foreach (var command in commands)
        {
            var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            for (int i = 1; i < args.Length; i++)
                if (PathOptions.Contains(args[i - 1])) args[i] = Path.Combine(_dir, args[i]);
            var (code, _, err) = CliRunner.Run(args);
            Assert.True(code == 0, $"README tour: '{command}' exited {code}: {err}");
        }
    }

    [Fact]
    public void ScriptExamples_ParseWithoutErrors()
    {
        var commands = Readme.BlocksIn("bash")
            .SelectMany(b => b.Text.Split('\n'))
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("learnedsolvers ", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(commands);
        foreach (var command in commands)
        {
            var args = command.Replace("${SLURM_ARRAY_TASK_ID}", "3").Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..];
            var parsed = Root.Parse(args);
            Assert.True(parsed.Errors.Count == 0, $"README script: '{command}': {string.Join("; ", parsed.Errors.Select(e => e.Message))}");
        }
    }

    private static readonly HashSet<string> PathOptions = ["--matrix", "--rhs", "--out", "--rhs-out", "--report", "--model", "--matrices", "--dataset", "--init"];

    /// <summary>Every command that runs (a command with subcommands may run itself too, as `dataset` beside `dataset merge`).</summary>
    private static IEnumerable<(string Path, Command Command)> Leaves(Command command, string prefix)
    {
        foreach (var sub in command.Subcommands)
        {
            string path = (prefix + " " + sub.Name).Trim();
            if (sub.Subcommands.Count == 0 || sub.Action is not null) yield return (path, sub);
            foreach (var leaf in Leaves(sub, path)) yield return leaf;
        }
    }

    /// <summary>Each command path of the synopsis ("train neuralpcg|precorrector|learned-fsai" gives three) with the options its line names.</summary>
    private static Dictionary<string, HashSet<string>> SynopsisLines()
    {
        var block = Assert.Single(Readme.Blocks, b => b.Section == "Command line" && b.Language == "sh");
        var lines = block.Text.Replace("\\\n", " ").Split('\n').Where(l => l.StartsWith("learnedsolvers ", StringComparison.Ordinal));
        var synopsis = new Dictionary<string, HashSet<string>>();
        foreach (var line in lines)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).TakeWhile(w => Regex.IsMatch(w, "^[a-z][a-z|-]*$"));
            var paths = words.Aggregate(new[] { "" }, (acc, word) => [.. acc.SelectMany(p => word.Split('|').Select(w => (p + " " + w).Trim()))]);
            var options = Regex.Matches(line, @"(?<![\w-])--[a-z][\w-]*").Select(m => m.Value).ToHashSet();
            foreach (var path in paths) Assert.True(synopsis.TryAdd(path, options), $"README synopsis: '{path}' appears twice");
        }
        return synopsis;
    }

    /// <summary>The names in "`--json` prints one object: a, b (why), …, and z (when)." in order.</summary>
    private static List<string> JsonFieldsInReadme()
    {
        const string marker = "`--json` prints one object: ";
        int at = Readme.Text.IndexOf(marker, StringComparison.Ordinal);
        Assert.True(at >= 0, "README has no `--json` field list");
        var items = new List<string>();
        var item = new System.Text.StringBuilder();
        int depth = 0;
        for (int i = at + marker.Length; i < Readme.Text.Length; i++)
        {
            char c = Readme.Text[i];
            if (c == '(') depth++;
            else if (c == ')') depth--;
            bool end = depth == 0 && c == '.' && (i + 1 == Readme.Text.Length || char.IsWhiteSpace(Readme.Text[i + 1]));
            if (depth == 0 && (c == ',' || end))
            {
                items.Add(item.ToString());
                item.Clear();
                if (end) break;
            }
            else item.Append(c);
        }
        return items.Select(s => Regex.Replace(s.Trim(), @"^and\s+", "").Split([' ', '\n', '('], 2)[0]).ToList();
    }
}
