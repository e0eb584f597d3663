namespace LearnedSolvers.Devices;

/// <summary>
/// A vector of doubles that lives on a <see cref="Devices.Device"/>: the rank-1 double <see cref="DeviceBuffer{T}"/>
/// the solvers work on. Host copies happen only when asked.
/// </summary>
public abstract class DeviceVector : DeviceBuffer<double>
{
    protected DeviceVector(Device device, int length, DeviceBuffer<double>? parent = null) : base(device, Shape.Vector(CheckedLength(length)), parent)
    {
    }

    private static int CheckedLength(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return length;
    }

    protected void CheckLength(int length, string argument)
    {
        if (length != Length) throw new ArgumentException($"{argument} has length {length}; the vector has {Length}.", argument);
    }
}
