using System.Globalization;

namespace LearnedSolvers.Cli;

/// <summary>The comparison table (method, preconditioner, setup ms, iterations, solve ms, true residual, stop reason), as text or Markdown.</summary>
internal static class ComparisonTable
{
    private static readonly string[] Header = ["method", "preconditioner", "setup ms", "iterations", "solve ms", "true residual", "stop reason"];

    /// <summary>Columns 0, 1 and 6 are words (left-aligned); the rest are numbers (right-aligned).</summary>
    private static bool IsText(int column) => column is 0 or 1 or 6;

    public static IReadOnlyList<string[]> Cells(IEnumerable<ComparisonRow> rows) =>
        [.. rows.Select(r => r.Report is { } s
            ? new[]
            {
                r.Method, r.Preconditioner, (s.SetupSeconds * 1e3).ToString("F1", CultureInfo.InvariantCulture), s.Iterations.ToString(CultureInfo.InvariantCulture),
                (s.Seconds * 1e3).ToString("F1", CultureInfo.InvariantCulture), s.RelativeResidual.ToString("0.00e+00", CultureInfo.InvariantCulture), r.StopReason,
            }
            : new[] { r.Method, r.Preconditioner, "-", "-", "-", "-", r.StopReason })];

    public static void WriteText(TextWriter output, IEnumerable<ComparisonRow> rows)
    {
        var table = new List<string[]> { Header };
        table.AddRange(Cells(rows));
        var widths = Enumerable.Range(0, Header.Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        for (int i = 0; i < table.Count; i++)
        {
            output.WriteLine(string.Join("  ", table[i].Select((cell, c) => IsText(c) ? cell.PadRight(widths[c]) : cell.PadLeft(widths[c]))).TrimEnd());
            if (i == 0) output.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        }
    }

    public static string ToMarkdown(IEnumerable<ComparisonRow> rows)
    {
        var text = new System.Text.StringBuilder();
        text.AppendLine("| " + string.Join(" | ", Header) + " |");
        text.AppendLine("|" + string.Join("|", Header.Select((_, c) => IsText(c) ? "---" : "---:")) + "|");
        foreach (var row in Cells(rows)) text.AppendLine("| " + string.Join(" | ", row.Select(cell => cell.Replace("|", "\\|"))) + " |");
        return text.ToString();
    }
}
