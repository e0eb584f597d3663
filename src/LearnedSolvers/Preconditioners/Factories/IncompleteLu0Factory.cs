using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners.Factories;

/// <summary>"ilu0": builds <see cref="IncompleteLu0"/>, held and applied in the precision chosen.</summary>
public sealed class IncompleteLu0Factory : IPreconditionerFactory
{
    /// <param name="precision">The precision the factor is held and applied in.</param>
    /// <exception cref="ArgumentOutOfRangeException">The precision is not one of <see cref="Devices.Precision"/>'s values.</exception>
    public IncompleteLu0Factory(Precision precision = Precision.Double)
    {
        Precision = PrecisionCheck.Valid(precision, nameof(precision));
    }

    /// <summary>The precision the factor is held and applied in.</summary>
    public Precision Precision { get; }

    public string Name => "ilu0";
    public DeviceSupport Devices => DeviceSupport.AllDevices; // factorization on the host, level-scheduled triangular solves on the device
    public bool Supports(Device device) => Devices.Includes(device);
    public bool IsSymmetric => false;
    public bool IsLinear => true;
    public bool IsRefreshable => true;

    /// <inheritdoc cref="IPreconditionerFactory.Create"/>
    public IncompleteLu0 Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        Devices.Require(a.Device, "ILU(0)", nameof(a));
        return new IncompleteLu0(a.Host, a.Device, Precision);
    }

    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a) => Create(a);
}
