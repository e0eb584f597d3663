namespace LearnedSolvers.Cli;

/// <summary>
/// Ctrl-C as a <see cref="CancellationToken"/>: the first press asks the long loops to stop between units (a system,
/// a batch, a pair) and keep what is complete; a second press, while they finish the unit at hand, ends the process as
/// the shell's default does.
/// </summary>
internal sealed class Interruption : IDisposable
{
    /// <summary>
    /// Cancels after this many completed units, as a Ctrl-C would: the tests' way down the cancellation path without a
    /// signal. Held per asynchronous flow, so tests running side by side do not see each other's.
    /// </summary>
    internal static readonly AsyncLocal<int?> CancelAfterUnits = new();

    private readonly CancellationTokenSource _source = new();
    private readonly int? _cancelAfter = CancelAfterUnits.Value;
    private int _completed;

    public Interruption() => Console.CancelKeyPress += OnCancelKeyPress;

    public CancellationToken Token => _source.Token;

    public bool Requested => _source.IsCancellationRequested;

    /// <summary>Counts a finished unit.</summary>
    public void Completed()
    {
        if (++_completed == _cancelAfter) _source.Cancel();
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        if (_source.IsCancellationRequested) return;
        e.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _source.Dispose();
    }
}
