using System.Runtime.CompilerServices;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// The explanation of a failed check, written as an interpolated string at the call site but formatted only when the
/// check fails: the checks run on every kernel call, which must not allocate.
/// </summary>
[InterpolatedStringHandler]
internal ref struct CheckReason
{
    private DefaultInterpolatedStringHandler _text;

    public CheckReason(int literalLength, int formattedCount, Shape actual, Shape expected, out bool failed)
    {
        failed = actual != expected;
        _text = failed ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public CheckReason(int literalLength, int formattedCount, int actual, int expected, out bool failed)
    {
        failed = actual != expected;
        _text = failed ? new DefaultInterpolatedStringHandler(literalLength, formattedCount) : default;
    }

    public void AppendLiteral(string value) => _text.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _text.AppendFormatted(value);

    public override string ToString() => _text.ToStringAndClear();
}
