namespace LearnedSolvers.Devices;

/// <summary>
/// The devices an algorithm runs on, declared before anything is built, so that a caller (the command line, a test)
/// can refuse an unsupported pairing up front and name the devices that would work.
/// </summary>
public sealed class DeviceSupport
{
    private readonly Func<Device, bool> _includes;

    private DeviceSupport(string description, IReadOnlyList<string> deviceNames, Func<Device, bool> includes)
    {
        Description = description;
        DeviceNames = deviceNames;
        _includes = includes;
    }

    /// <summary>
    /// The managed CPU device (<see cref="Device.Cpu"/>) only: algorithms that loop over host arrays, such as serial
    /// triangular sweeps; a device qualifies by its host-addressable vectors (<see cref="Device.HasHostAddressableVectors"/>).
    /// </summary>
    public static DeviceSupport CpuOnly { get; } = new("the CPU only", ["cpu"], d => d.HasHostAddressableVectors);

    /// <summary>Every device: algorithms built from the devices' own kernels (SpMV and vector operations).</summary>
    public static DeviceSupport AllDevices { get; } = new("every device", Device.Names.Where(n => n != "auto").ToArray(), _ => true); // "auto" picks a device; it is not one

    /// <summary>
    /// A set declared by a layer that defines its own devices (the distributed layer's), so that this class need not
    /// know every device class.
    /// </summary>
    internal static DeviceSupport Declared(string description, IReadOnlyList<string> deviceNames, Func<Device, bool> includes) =>
        new(description, deviceNames, includes);

    /// <summary>In words, for messages: "the CPU only", "every device".</summary>
    public string Description { get; }

    /// <summary>The supported devices by their <see cref="Device.FromName"/> names.</summary>
    public IReadOnlyList<string> DeviceNames { get; }

    /// <summary>True when the algorithm runs on <paramref name="device"/>.</summary>
    public bool Includes(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return _includes(device);
    }

    /// <summary>Throws <see cref="UnsupportedDeviceException"/> naming <paramref name="algorithm"/> and the supported devices unless <paramref name="device"/> is one of them.</summary>
    /// <param name="device">The device asked for.</param>
    /// <param name="algorithm">What is being built, for the message ("IC(0)").</param>
    /// <param name="argument">The argument that brought <paramref name="device"/> (a matrix, a device).</param>
    public void Require(Device device, string algorithm, string argument)
    {
        if (!Includes(device)) throw new UnsupportedDeviceException(algorithm, device, this, argument);
    }

    public override string ToString() => $"{Description} ({string.Join(", ", DeviceNames)})";
}
