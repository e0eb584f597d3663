namespace LearnedSolvers.Devices;

/// <summary>An algorithm was asked to run on a device it does not support; <see cref="Supported"/> says which it does.</summary>
public sealed class UnsupportedDeviceException(string algorithm, Device device, DeviceSupport supported, string argument)
    : ArgumentException($"{algorithm} runs on {supported}, not on '{device.Name}'.", argument)
{
    /// <summary>The devices the algorithm runs on.</summary>
    public DeviceSupport Supported { get; } = supported;
}
