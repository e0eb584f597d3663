namespace LearnedSolvers.Native;

/// <summary>The status codes of learnedsolvers.h (<c>ls_status</c>). The numbers are the ABI: never renumber, only add.</summary>
public enum NativeStatus
{
    Ok = 0,
    InvalidArgument = 1,
    InvalidHandle = 2,
    InvalidMatrix = 3,
    UnknownName = 4,
    InvalidOption = 5,
    DeviceUnavailable = 6,
    Unsupported = 7,
    SetupFailed = 8,
    Busy = 9,
    OutOfMemory = 10,
    Runtime = 11,
    Internal = 12,
}

/// <summary>A failure the boundary reports with a chosen status rather than one inferred from the exception type.</summary>
internal sealed class NativeException(NativeStatus status, string message) : Exception(message)
{
    public NativeStatus Status { get; } = status;
}
