using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// A <see cref="TriangularMatrix"/> on a device, ready for solves (made by <see cref="ITriangularSolveKernels.Upload"/>).
/// Solves allocate nothing; <see cref="UpdateValues"/> refreshes the values in the memory already held.
/// </summary>
public abstract class DeviceTriangularMatrix : IDisposable
{
    private protected DeviceTriangularMatrix(Device device, TriangularMatrix host)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(host);
        Device = device;
        Host = host;
    }

    public Device Device { get; }

    /// <summary>The host matrix this copy was made from (its pattern is fixed).</summary>
    public TriangularMatrix Host { get; }

    public int Size => Host.Size;

    /// <summary>Solves T x = b; <paramref name="x"/> may be <paramref name="b"/> itself (each row reads its own b_i before writing x_i).</summary>
    public abstract void Solve(DeviceVector b, DeviceVector x);

    /// <summary>Takes the values now in <see cref="Host"/>'s arrays (same pattern), without new device memory.</summary>
    /// <exception cref="Preconditioners.ZeroPivotException">A stored diagonal entry is zero.</exception>
    public abstract void UpdateValues();

    /// <summary>Checks that both vectors live on this device with this matrix's size.</summary>
    private protected void CheckSolve(DeviceVector b, DeviceVector x)
    {
        Device.Check(b, Size, nameof(b));
        Device.Check(x, Size, nameof(x));
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
