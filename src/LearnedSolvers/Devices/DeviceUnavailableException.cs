namespace LearnedSolvers.Devices;

/// <summary>The requested device does not exist on this machine (e.g. <see cref="Device.Cuda"/> without a CUDA GPU or driver).</summary>
public sealed class DeviceUnavailableException : Exception
{
    public DeviceUnavailableException(string message) : base(message)
    {
    }

    public DeviceUnavailableException(string message, Exception? inner) : base(message, inner)
    {
    }
}
