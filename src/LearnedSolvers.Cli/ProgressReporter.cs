using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace LearnedSolvers.Cli;

/// <summary>
/// Progress of long work (systems solved, batches trained, pairs compared). On a terminal: a live Spectre.Console bar
/// with the rate and the time left. Redirected (a log, a pipe, the tests): plain lines, one as each tenth of the work
/// is done and at most one every <see cref="QuietInterval"/> in between, so a log shows a slow run is alive without
/// growing with the number of units, and a fast run prints the same lines every time.
/// </summary>
internal sealed class ProgressReporter
{
    /// <summary>The longest a redirected run goes without a line while units complete.</summary>
    internal static readonly TimeSpan QuietInterval = TimeSpan.FromSeconds(10);

    private readonly TextWriter _writer;
    private long _total;
    private readonly string _unit;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private ProgressTask? _bar;
    private long _lastTenth;
    private TimeSpan _lastLine;

    private ProgressReporter(TextWriter writer, long total, string unit)
    {
        _writer = writer;
        _total = Math.Max(1, total);
        _unit = unit;
    }

    /// <summary>Runs <paramref name="work"/>, which reports through the reporter it is given; the bar (if any) closes after it.</summary>
    /// <param name="writer">Where the command writes: a live bar only when this is the process's console stream and a terminal.</param>
    /// <param name="description">What is being done, shown beside the bar.</param>
    /// <param name="total">Units in all.</param>
    /// <param name="unit">The unit's name, plural ("systems").</param>
    public static T Run<T>(TextWriter writer, string description, long total, string unit, Func<ProgressReporter, T> work)
    {
        var reporter = new ProgressReporter(writer, total, unit);
        if (Terminal(writer) is not { } console) return work(reporter);
        return console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(),
                new RateColumn(unit), new RemainingTimeColumn())
            .Start(context =>
            {
                reporter._bar = context.AddTask(Markup.Escape(description), maxValue: reporter._total);
                return work(reporter);
            });
    }

    /// <summary><paramref name="done"/> units are complete; <paramref name="detail"/> (e.g. "epoch 2/5  loss 0.31") replaces "done/total units".</summary>
    /// <param name="total">The units in all, when the work learns it only as it runs (a trainer's batches per epoch).</param>
    public void Report(long done, string? detail = null, long? total = null)
    {
        if (total is { } t) _total = Math.Max(1, t);
        if (_bar is not null)
        {
            _bar.MaxValue = _total;
            _bar.Value = done;
            if (detail is not null) _bar.Description = Markup.Escape(detail);
            return;
        }
        var elapsed = _clock.Elapsed;
        long tenth = Math.Min(done, _total) * 10 / _total;
        if (tenth <= _lastTenth && elapsed - _lastLine < QuietInterval) return;
        _lastTenth = Math.Max(_lastTenth, tenth);
        _lastLine = elapsed;
        _writer.WriteLine(Line(done, detail, elapsed));
    }

    internal string Line(long done, string? detail, TimeSpan elapsed)
    {
        var c = CultureInfo.InvariantCulture;
        double rate = elapsed.TotalSeconds > 0 ? done / elapsed.TotalSeconds : 0;
        string what = detail ?? string.Create(c, $"{done}/{_total} {_unit}");
        string when = done >= _total
            ? string.Create(c, $"{elapsed.TotalSeconds:F1} s")
            : rate > 0 ? string.Create(c, $"{TimeSpan.FromSeconds(Math.Ceiling((_total - done) / rate)):hh\\:mm\\:ss} left") : "";
        return string.Create(c, $"{what}  {Rate(rate, _unit)}  {when}").TrimEnd();
    }

    private static string Rate(double perSecond, string unit) =>
        perSecond >= 10 ? string.Create(CultureInfo.InvariantCulture, $"{perSecond:F0} {unit}/s")
        : perSecond >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{perSecond:F1} {unit}/s")
        : perSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $"{perSecond:G2} {unit}/s")
        : "";

    /// <summary>The console to draw a live bar on: only the process's own stdout or stderr, and only a terminal.</summary>
    private static IAnsiConsole? Terminal(TextWriter writer)
    {
        if (ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected) return AnsiConsole.Console;
        if (ReferenceEquals(writer, Console.Error) && !Console.IsErrorRedirected)
            return AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        return null;
    }

    /// <summary>Units per second, the speed Spectre.Console measures over its recent samples.</summary>
    private sealed class RateColumn(string unit) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime) =>
            new Text(task.Speed is { } speed ? Rate(speed, unit) : "", Style.Plain);
    }
}
