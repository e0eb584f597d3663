using System.Globalization;
using System.Text;

namespace LearnedSolvers.Cli;

/// <summary>
/// histories.csv: one line per iteration of every solve, columns method, preconditioner, iteration, relative_residual,
/// seconds (RFC 4180, invariant culture, doubles in round-trip form, so <see cref="Read"/> returns exactly what was written).
/// </summary>
internal static class HistoryCsv
{
    public const string Header = "method,preconditioner,iteration,relative_residual,seconds";

    public static string Format(IEnumerable<ConvergencePoint> points)
    {
        var text = new StringBuilder(Header).Append('\n');
        foreach (var p in points)
            text.Append(Quote(p.Method)).Append(',').Append(Quote(p.Preconditioner)).Append(',')
                .Append(p.Iteration.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(p.RelativeResidual.ToString("R", CultureInfo.InvariantCulture)).Append(',')
                .Append(p.Seconds.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        return text.ToString();
    }

    public static void Write(string path, IEnumerable<ConvergencePoint> points) => AtomicFile.WriteAllText(path, Format(points));

    /// <exception cref="FormatException">A line is not five fields of the right types, or the header differs.</exception>
    public static IReadOnlyList<ConvergencePoint> Read(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != Header) throw new FormatException($"{path} does not start with '{Header}'");
        var points = new List<ConvergencePoint>();
        for (int i = 1; i < lines.Length; i++)
        {
            if (lines[i].Length == 0) continue;
            var f = Split(lines[i]);
            if (f.Count != 5) throw new FormatException($"{path}:{i + 1} has {f.Count} fields, not 5");
            points.Add(new ConvergencePoint(f[0], f[1], int.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[3], CultureInfo.InvariantCulture), double.Parse(f[4], CultureInfo.InvariantCulture)));
        }
        return points;
    }

    private static string Quote(string field) =>
        field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    private static List<string> Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c != '"') field.Append(c);
                else if (i + 1 < line.Length && line[i + 1] == '"') { field.Append('"'); i++; }
                else quoted = false;
            }
            else if (c == '"') quoted = true;
            else if (c == ',') { fields.Add(field.ToString()); field.Clear(); }
            else field.Append(c);
        }
        fields.Add(field.ToString());
        return fields;
    }
}
