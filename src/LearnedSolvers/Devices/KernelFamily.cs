using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Distributed;

namespace LearnedSolvers.Devices;

/// <summary>
/// A group of kernels for one concern (triangular solves, block vectors, network layers, ...), declared once with one
/// implementation per backend. <see cref="Device.Kernels{T}"/> gives a device's instance, created on first use and kept
/// for the device's lifetime (disposed with the device when it is <see cref="IDisposable"/>). A new kernel touches its
/// family's interface and the two implementations, nothing else: the device classes do not list the families.
/// A family whose kernels reduce (dots, norms) gives a third, distributed implementation that runs the local kernel on
/// each rank and sums across ranks; a family without one is refused on a <see cref="DistributedDevice"/>.
/// </summary>
/// <typeparam name="T">The family's interface.</typeparam>
public sealed class KernelFamily<T> where T : class
{
    private readonly Func<CpuDevice, T> _cpu;
    private readonly Func<IlgpuDevice, T> _ilgpu;
    private readonly Func<DistributedDevice, T>? _distributed;

    /// <param name="name">What the family computes, for error messages.</param>
    /// <param name="cpu">Builds the CPU device's implementation.</param>
    /// <param name="ilgpu">Builds an ILGPU device's implementation (loads its kernels once).</param>
    /// <param name="distributed">Builds the implementation on a row-distributed device, or null where the family has none.</param>
    public KernelFamily(string name, Func<CpuDevice, T> cpu, Func<IlgpuDevice, T> ilgpu, Func<DistributedDevice, T>? distributed = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        _cpu = cpu ?? throw new ArgumentNullException(nameof(cpu));
        _ilgpu = ilgpu ?? throw new ArgumentNullException(nameof(ilgpu));
        _distributed = distributed;
    }

    public string Name { get; }

    internal T CreateFor(CpuDevice device) => _cpu(device);

    internal T CreateFor(IlgpuDevice device) => _ilgpu(device);

    internal T CreateFor(DistributedDevice device) => _distributed is { } create
        ? create(device)
        : throw new NotSupportedException($"The kernel family '{Name}' has no distributed implementation, so it cannot run on '{device.Name}'; " +
            "use it on each rank's local device (DistributedDevice.Local).");

    public override string ToString() => Name;
}
