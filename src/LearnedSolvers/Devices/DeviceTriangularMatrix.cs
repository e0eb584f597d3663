using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// A <see cref="TriangularMatrix"/> on a device, ready for solves (made by <see cref="ITriangularSolveKernels.Upload"/>),
/// its values held in double or in single precision: a double copy solves double vectors, a single copy float buffers.
/// Solves allocate nothing; <see cref="UpdateValues"/> refreshes the values in the memory already held.
/// </summary>
public abstract class DeviceTriangularMatrix : IDisposable
{
    private protected DeviceTriangularMatrix(Device device, TriangularMatrix host, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(host);
        PrecisionCheck.Valid(precision, nameof(precision));
        Device = device;
        Host = host;
        Precision = precision;
    }

    /// <summary>The precision of the values held, and of the vectors solves take.</summary>
    public Precision Precision { get; }

    public Device Device { get; }

    /// <summary>The host matrix this copy was made from (its pattern is fixed).</summary>
    public TriangularMatrix Host { get; }

    public int Size => Host.Size;

    /// <summary>Solves T x = b; <paramref name="x"/> may be <paramref name="b"/> itself (each row reads its own b_i before writing x_i).</summary>
    /// <exception cref="InvalidOperationException">This copy holds single-precision values: solve float buffers.</exception>
    public abstract void Solve(DeviceVector b, DeviceVector x);

    /// <summary>Solves T x = b in single precision, as <see cref="Solve(DeviceVector, DeviceVector)"/> does in double.</summary>
    /// <exception cref="InvalidOperationException">This copy holds double values: solve double vectors.</exception>
    public abstract void Solve(DeviceBuffer<float> b, DeviceBuffer<float> x);

    /// <summary>Takes the values now in <see cref="Host"/>'s arrays (same pattern), without new device memory.</summary>
    /// <exception cref="Preconditioners.ZeroPivotException">A stored diagonal entry is zero.</exception>
    public abstract void UpdateValues();

    /// <summary>Checks that both vectors live on this device with this matrix's size, and that this copy holds doubles.</summary>
    private protected void CheckSolve(DeviceVector b, DeviceVector x)
    {
        CheckPrecision(Precision.Double);
        Device.Check(b, Size, nameof(b));
        Device.Check(x, Size, nameof(x));
    }

    /// <summary>Checks that both buffers live on this device with this matrix's size, and that this copy holds floats.</summary>
    private protected void CheckSolve(DeviceBuffer<float> b, DeviceBuffer<float> x)
    {
        CheckPrecision(Precision.Single);
        BufferChecks.On(Device, b, nameof(b));
        BufferChecks.On(Device, x, nameof(x));
        if (b.Length != Size) throw new ArgumentException($"b has length {b.Length}; expected {Size}.", nameof(b));
        if (x.Length != Size) throw new ArgumentException($"x has length {x.Length}; expected {Size}.", nameof(x));
    }

    private void CheckPrecision(Precision solved)
    {
        if (solved != Precision)
            throw new InvalidOperationException(Precision == Precision.Double
                ? "This triangular matrix holds double values; it solves double vectors, not float buffers."
                : "This triangular matrix holds single-precision values; it solves float buffers, not double vectors.");
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
