namespace LearnedSolvers.Devices;

/// <summary>
/// A device allocation failed for lack of memory. <see cref="BytesFree"/> is what the device reported as free when
/// the request failed (−1 when the device cannot tell).
/// </summary>
public sealed class DeviceOutOfMemoryException : Exception
{
    public DeviceOutOfMemoryException(string deviceName, long bytesRequested, long bytesFree, Exception? inner = null)
        : base(Describe(deviceName, bytesRequested, bytesFree), inner)
    {
        DeviceName = deviceName;
        BytesRequested = bytesRequested;
        BytesFree = bytesFree;
    }

    public string DeviceName { get; }
    public long BytesRequested { get; }
    public long BytesFree { get; }

    private static string Describe(string device, long requested, long free) =>
        $"Device '{device}' is out of memory: {requested:N0} bytes were requested, "
        + (free >= 0 ? $"{free:N0} bytes are free." : "and the device does not report its free memory.");
}
