using LearnedSolvers.Preconditioners.Factories;
using ScottPlot;

namespace LearnedSolvers.Cli;

/// <summary>
/// Relative residual (log scale) against iteration or time, one line per method and preconditioner, as a PNG
/// (ScottPlot 5). A line's colour is its preconditioner's and its dash its method's, so twenty lines stay legible
/// where ten colours would repeat.
/// </summary>
internal static class ConvergencePlot
{
    public const int Width = 1100;

    /// <summary>The legend sits right of the axes, one entry per line: the image grows with the lines rather than cut it off.</summary>
    public static int HeightFor(int lines) => Math.Max(600, 100 + 20 * lines);

    private static readonly LinePattern[] Dashes = [LinePattern.Solid, LinePattern.Dashed, LinePattern.Dotted, LinePattern.DenselyDashed];

    /// <summary>PNG bytes, <see cref="Width"/> × <see cref="HeightFor"/>(lines), of each line's points (non-positive and non-finite residuals are left out).</summary>
    public static byte[] Render(IReadOnlyList<IReadOnlyList<ConvergencePoint>> lines, bool againstTime, string title)
    {
        var plot = new Plot();
        var colours = new ScottPlot.Palettes.Category20();
        foreach (var points in lines)
        {
            var shown = points.Where(p => p.RelativeResidual > 0 && double.IsFinite(p.RelativeResidual)).ToArray();
            if (shown.Length == 0) continue;
            var line = plot.Add.Scatter(
                shown.Select(p => againstTime ? p.Seconds : p.Iteration).ToArray(),
                shown.Select(p => Math.Log10(p.RelativeResidual)).ToArray());
            int method = ComparisonPlan.Methods.Select(m => m.ToString().ToLowerInvariant()).ToList().IndexOf(shown[0].Method);
            int preconditioner = PreconditionerRegistry.Names.ToList().IndexOf(shown[0].Preconditioner);
            line.LegendText = $"{shown[0].Method} + {shown[0].Preconditioner}";
            line.Color = colours.GetColor(Shade(preconditioner >= 0 ? preconditioner : PreconditionerRegistry.Names.Count));
            line.LinePattern = Dashes[Math.Max(0, method) % Dashes.Length];
            line.LineWidth = 1.5f;
            // Methods past the fourth dash, and single-point lines (a solve that needed no iteration), get markers.
            line.MarkerSize = method >= Dashes.Length || shown.Length == 1 ? 4 : 0;
        }
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => $"1e{y:0}",
        };
        plot.Title(title);
        plot.XLabel(againstTime ? "seconds (setup + the solve's time spread evenly over its iterations)" : "iteration");
        plot.YLabel("relative residual ||r|| / ||b||");
        plot.ShowLegend(Edge.Right);
        return plot.GetImageBytes(Width, HeightFor(lines.Count), ImageFormat.Png);
    }

    /// <summary>Category20 pairs each colour with a pale shade: the first ten preconditioners get the strong ones.</summary>
    private static int Shade(int index) => index < 10 ? 2 * index : 2 * (index - 10) + 1;

    public static void Write(string path, IReadOnlyList<IReadOnlyList<ConvergencePoint>> lines, bool againstTime, string title) =>
        AtomicFile.WriteAllBytes(path, Render(lines, againstTime, title));
}
