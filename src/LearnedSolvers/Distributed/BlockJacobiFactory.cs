using LearnedSolvers.Devices;

namespace LearnedSolvers.Distributed;

/// <summary>
/// "block-jacobi": builds <see cref="BlockJacobi"/> with <see cref="Local"/> on each rank's diagonal block. It runs on
/// distributed devices only: on one process's matrix there is one block, which is the local preconditioner itself, so
/// asking for block Jacobi there is refused rather than silently renamed.
/// </summary>
public sealed class BlockJacobiFactory : IDistributedPreconditionerFactory
{
    /// <param name="local">Each rank's preconditioner (ILU(0) in the registry's default).</param>
    /// <exception cref="ArgumentException"><paramref name="local"/> is itself block Jacobi.</exception>
    public BlockJacobiFactory(IPreconditionerFactory local)
    {
        ArgumentNullException.ThrowIfNull(local);
        if (local is BlockJacobiFactory) throw new ArgumentException("Block Jacobi's local preconditioner cannot be block Jacobi.", nameof(local));
        Local = local;
    }

    /// <summary>The factory of each rank's preconditioner.</summary>
    public IPreconditionerFactory Local { get; }

    public string Name => "block-jacobi";
    public DeviceSupport Devices => DistributedDevice.Only;
    public bool Supports(Device device) => Devices.Includes(device);

    /// <summary>As the local preconditioner's: a block-diagonal matrix of symmetric blocks is symmetric.</summary>
    public bool IsSymmetric => Local.IsSymmetric;

    public bool IsLinear => Local.IsLinear;
    public bool IsRefreshable => false;

    /// <inheritdoc cref="IDistributedPreconditionerFactory.Create"/>
    public BlockJacobi Create(DistributedCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new BlockJacobi(a, Local);
    }

    /// <summary>Refused: <paramref name="a"/> is one process's whole matrix; block Jacobi splits a <see cref="DistributedCsrMatrix"/> by ranks.</summary>
    /// <exception cref="UnsupportedDeviceException">Always: a distributed device holds no <see cref="DeviceCsrMatrix"/>.</exception>
    IPreconditioner? IPreconditionerFactory.Create(DeviceCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        throw new UnsupportedDeviceException($"Block Jacobi (one block per MPI rank of a DistributedCsrMatrix; on one process use '{Local.Name}' itself)", a.Device, Devices, nameof(a));
    }

    IPreconditioner? IDistributedPreconditionerFactory.Create(DistributedCsrMatrix a) => Create(a);
}
