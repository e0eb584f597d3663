using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ilu0": builds <see cref="IncompleteLu0"/>. No options.</summary>
public sealed class IncompleteLu0Factory : IPreconditionerFactory
{
    public string Name => "ilu0";
    public DeviceSupport Devices => DeviceSupport.CpuOnly; // serial triangular sweeps over host arrays
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => false;
    public bool IsLinear => true;
    public bool IsRefreshable => true;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public IncompleteLu0 Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "ILU(0)", nameof(a));
        return new IncompleteLu0(a.Host);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
