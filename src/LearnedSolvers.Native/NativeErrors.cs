using System.Text;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Native;

/// <summary>
/// Turns every managed exception into a status and a message kept per thread: an exception that crossed an
/// UnmanagedCallersOnly boundary would end the host process.
/// </summary>
internal static class NativeErrors
{
    [ThreadStatic] private static string? _lastError;

    /// <summary>Records <paramref name="e"/> as this thread's last error and returns its status.</summary>
    public static int Fail(Exception e)
    {
        var (status, message) = Classify(e);
        _lastError = message;
        return (int)status;
    }

    public static (NativeStatus Status, string Message) Classify(Exception e) => e switch
    {
        NativeException n => (n.Status, n.Message),
        // The C ABI takes 0-based indices; the library's messages count from 0 as well, so saying so is enough.
        InvalidMatrixException => (NativeStatus.InvalidMatrix, "invalid CSR matrix (indices are 0-based): " + Describe(e)),
        DeviceUnavailableException => (NativeStatus.DeviceUnavailable, Describe(e)),
        UnsupportedDeviceException => (NativeStatus.Unsupported, Describe(e)),
        ZeroPivotException => (NativeStatus.SetupFailed, "preconditioner setup failed: " + Describe(e)),
        DeviceOutOfMemoryException or OutOfMemoryException or FactorMemoryException => (NativeStatus.OutOfMemory, Describe(e)),
        ArgumentException => (NativeStatus.InvalidArgument, Describe(e)),
        _ => (NativeStatus.Internal, $"{e.GetType().FullName}: {e.Message}"),
    };

    /// <summary>
    /// The message on one line, without the " (Parameter 'name')" that .NET appends: the name is a C# parameter the C
    /// caller never saw. An out-of-range value stays, as "(got 3)".
    /// </summary>
    public static string Describe(Exception e)
    {
        string message = e.Message;
        if (e is ArgumentOutOfRangeException { ActualValue: { } actual })
        {
            int cut = message.IndexOf('\n');
            message = (cut >= 0 ? message[..cut] : message).TrimEnd() + $" (got {actual})";
        }
        if (e is ArgumentException { ParamName: { } name }) message = message.Replace($" (Parameter '{name}')", "");
        return message.ReplaceLineEndings(" ");
    }

    /// <summary>
    /// Copies this thread's last message as NUL-terminated UTF-8 into <paramref name="buffer"/> (cut to fit on a
    /// character boundary) and returns the length of the whole message in bytes.
    /// </summary>
    public static unsafe int CopyLastError(byte* buffer, int capacity)
    {
        string message = _lastError ?? "";
        return CopyUtf8(message, buffer, capacity);
    }

    /// <summary>NUL-terminated UTF-8 into a caller's buffer, cut on a character boundary; returns the full length in bytes.</summary>
    public static unsafe int CopyUtf8(string text, byte* buffer, int capacity)
    {
        int length = Encoding.UTF8.GetByteCount(text);
        if (buffer is null || capacity <= 0) return length;
        var destination = new Span<byte>(buffer, capacity - 1);
        int written = 0;
        var encoder = Encoding.UTF8.GetEncoder();
        encoder.Convert(text.AsSpan(), destination, flush: true, out _, out written, out _);
        buffer[written] = 0;
        return length;
    }
}
