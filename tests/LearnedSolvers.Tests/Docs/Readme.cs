using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Docs;

/// <summary>The repository's README.md, cut into its fenced code blocks, each with the section it stands in.</summary>
public static class Readme
{
    public sealed record CodeBlock(string Language, string Section, int Line, string Text);

    public static string Text { get; } = File.ReadAllText(RepositoryFiles.PathOf("README.md"));

    public static IReadOnlyList<CodeBlock> Blocks { get; } = Parse(Text);

    public static IEnumerable<CodeBlock> BlocksIn(string language) => Blocks.Where(b => b.Language == language);

    private static List<CodeBlock> Parse(string text)
    {
        var blocks = new List<CodeBlock>();
        var lines = text.Split('\n');
        string section = "";
        for (int i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.StartsWith('#')) section = line.TrimStart('#').Trim();
            if (!line.StartsWith("```", StringComparison.Ordinal)) continue;
            string language = line[3..].Trim();
            int start = i + 1;
            int end = start;
            while (end < lines.Length && !lines[end].TrimEnd('\r').StartsWith("```", StringComparison.Ordinal)) end++;
            blocks.Add(new CodeBlock(language, section, start + 1, string.Join('\n', lines[start..end].Select(l => l.TrimEnd('\r')))));
            i = end;
        }
        return blocks;
    }
}
