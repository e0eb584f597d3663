using LearnedSolvers.Devices;

namespace LearnedSolvers.Distributed;

/// <summary>Sets up a preconditioner from any factory on a distributed matrix, or says which factories can.</summary>
public static class DistributedPreconditioning
{
    /// <summary>True when <paramref name="factory"/> can set up on a <see cref="DistributedCsrMatrix"/>.</summary>
    public static bool WorksAcrossRanks(this IPreconditionerFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return factory is IDistributedPreconditionerFactory;
    }

    /// <summary>
    /// The product of <paramref name="factory"/> for <paramref name="a"/> (collective), or a clear refusal when the
    /// factory needs the whole matrix on one process.
    /// </summary>
    /// <exception cref="UnsupportedDeviceException">The factory cannot set up on a distributed matrix; the message names block Jacobi as the way to run it per rank.</exception>
    public static IPreconditioner? CreateAcrossRanks(this IPreconditionerFactory factory, DistributedCsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(a);
        if (factory is IDistributedPreconditionerFactory distributed) return distributed.Create(a);
        throw new UnsupportedDeviceException(
            $"'{factory.Name}' needs the whole matrix on one process (use it on each rank's block with block-jacobi, local={factory.Name}); it",
            a.Device, factory.Devices, nameof(a));
    }
}
