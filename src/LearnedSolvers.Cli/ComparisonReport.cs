using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>
/// A comparison written to a folder: report.md (the table, the matrix's facts, date, machine, command),
/// convergence.png and convergence-time.png (relative residual against iteration and against time), and histories.csv
/// (every solve's residual history). Each file is written whole or not at all; report.md goes last, so a report that
/// exists names files that exist.
/// </summary>
internal static class ComparisonReport
{
    public const string ReportFile = "report.md";
    public const string IterationPlotFile = "convergence.png";
    public const string TimePlotFile = "convergence-time.png";
    public const string HistoryFile = "histories.csv";

    /// <param name="folder">Created when missing.</param>
    /// <param name="rows">The comparison.</param>
    /// <param name="a">The matrix.</param>
    /// <param name="matrixSource">Where A came from (a path, or the built-in problem's description).</param>
    /// <param name="rhsSource">Where b came from.</param>
    /// <param name="options">The stopping rules every solve used.</param>
    /// <param name="restart">GMRES and GCRO-DR restart length.</param>
    /// <param name="device">The device's name.</param>
    /// <param name="command">The command line that made the comparison.</param>
    public static void Write(string folder, IReadOnlyList<ComparisonRow> rows, CsrMatrix a, string matrixSource, string rhsSource,
        SolverOptions options, int restart, string device, string command)
    {
        Directory.CreateDirectory(folder);
        var lines = rows.Select(ConvergenceHistory.Points).Where(p => p.Count > 0).ToList();
        HistoryCsv.Write(Path.Combine(folder, HistoryFile), lines.SelectMany(p => p));
        string title = $"{a.Rows} unknowns, rtol {options.RelativeTolerance.ToString("0.##e+00", System.Globalization.CultureInfo.InvariantCulture)}, {device}";
        ConvergencePlot.Write(Path.Combine(folder, IterationPlotFile), lines, againstTime: false, title);
        ConvergencePlot.Write(Path.Combine(folder, TimePlotFile), lines, againstTime: true, title);
        AtomicFile.WriteAllText(Path.Combine(folder, ReportFile), Markdown(rows, a, matrixSource, rhsSource, options, restart, device, command));
    }

    internal static string Markdown(IReadOnlyList<ComparisonRow> rows, CsrMatrix a, string matrixSource, string rhsSource,
        SolverOptions options, int restart, string device, string command)
    {
        var inv = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine("# Solver comparison").AppendLine();
        text.AppendLine($"- Date: {DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss", inv)} UTC");
        text.AppendLine($"- Machine: {Environment.MachineName}, {RuntimeInformation.OSDescription} {RuntimeInformation.OSArchitecture}, "
            + $"{Environment.ProcessorCount} logical cores, {RuntimeInformation.FrameworkDescription}");
        text.AppendLine($"- Device: {device}");
        text.AppendLine($"- Command: `{command}`").AppendLine();

        text.AppendLine("## Matrix").AppendLine();
        text.AppendLine($"- Source: {matrixSource}");
        text.AppendLine($"- Size: {a.Rows} x {a.Columns}, {a.NonZeros} nonzeros ({(double)a.NonZeros / Math.Max(1, a.Rows):F1} per row)");
        text.AppendLine($"- Symmetric: {(a.IsSymmetric() ? "yes" : "no")}");
        text.AppendLine($"- Right-hand side: {rhsSource}");
        text.AppendLine($"- Stopping: ||b - Ax|| / ||b|| <= {options.RelativeTolerance.ToString("0.##e+00", inv)}, at most {options.MaxIterations} iterations; "
            + $"GMRES and GCRO-DR restart {restart}; every solve from x = 0").AppendLine();

        text.AppendLine("## Results").AppendLine();
        text.AppendLine("Setup counts the upload, the preconditioner and the solver's workspace; the true residual is recomputed from x after the solve.").AppendLine();
        text.Append(ComparisonTable.ToMarkdown(rows)).AppendLine();

        text.AppendLine("## Convergence").AppendLine();
        text.AppendLine("Each method's own residual estimate ||r_k|| / ||b|| (log scale), one line per method and preconditioner; "
            + "a line's colour is its preconditioner, its dash its method.").AppendLine();
        text.AppendLine($"![relative residual against iteration]({IterationPlotFile})").AppendLine();
        text.AppendLine("The solvers time the whole solve, not each iteration, so in the time plot iteration k of K is placed at "
            + "setup + k/K of the solve's time: the solve's elapsed time spread evenly over its iterations, after its setup.").AppendLine();
        text.AppendLine($"![relative residual against time]({TimePlotFile})").AppendLine();
        text.AppendLine($"[{HistoryFile}]({HistoryFile}) holds every point: {HistoryCsv.Header} (seconds as in the time plot).");
        return text.ToString();
    }
}
