using LearnedSolvers.Devices;

namespace LearnedSolvers;

/// <summary>
/// A preconditioner's configuration, apart from its setup (Ginkgo's factory/generate split): the options are fixed
/// when the factory is made, and <see cref="Create"/> does the setup for one matrix, once. The declared properties
/// describe every product, so a caller can choose a Krylov method or refuse a device before any setup runs.
/// </summary>
public interface IPreconditionerFactory
{
    /// <summary>The registry name ("ic0", "amg").</summary>
    string Name { get; }

    /// <summary>The devices the product runs on.</summary>
    DeviceSupport Devices { get; }

    /// <summary>True when the product runs on <paramref name="device"/>.</summary>
    bool Supports(Device device);

    /// <summary>Every product is symmetric (for SPD A, as CG requires); see <see cref="IPreconditioner.IsSymmetric"/>.</summary>
    bool IsSymmetric { get; }

    /// <summary>Every product is linear (else it needs a flexible method); see <see cref="IPreconditioner.IsLinear"/>.</summary>
    bool IsLinear { get; }

    /// <summary>Every product is an <see cref="IRefreshablePreconditioner"/>: it redoes its setup for new values on the same pattern.</summary>
    bool IsRefreshable { get; }

    /// <summary>
    /// Sets the preconditioner up for <paramref name="a"/> on <paramref name="a"/>'s device. A product that multiplies
    /// by A uses <paramref name="a"/> itself rather than a second copy, and the caller keeps ownership of it: dispose
    /// the product (when it is <see cref="IDisposable"/>) before <paramref name="a"/>. Null means no preconditioning
    /// (the "none" entry), which every solver accepts.
    /// </summary>
    /// <exception cref="UnsupportedDeviceException"><paramref name="a"/> lives on a device outside <see cref="Devices"/>.</exception>
    /// <exception cref="Preconditioners.ZeroPivotException">A factorization or scaling met a zero or unusable pivot.</exception>
    IPreconditioner? Create(DeviceCsrMatrix a);
}
