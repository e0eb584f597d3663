using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Devices;

/// <summary>
/// Whole-buffer kernels of any shape: precision conversion (mixed-precision preconditioners, float networks inside
/// double iterations) and the float copies and fills that the double <see cref="Device"/> kernels do not cover.
/// Source and destination must have the same length and live on this family's device.
/// </summary>
public interface IBufferKernels
{
    /// <summary>The CPU and ILGPU implementations.</summary>
    static readonly KernelFamily<IBufferKernels> Family = new("buffer kernels", d => new CpuBufferKernels(d), d => new IlgpuBufferKernels(d));

    /// <summary>destination ← (double) source.</summary>
    void Convert(DeviceBuffer<float> source, DeviceBuffer<double> destination);

    /// <summary>destination ← (float) source, rounded to nearest; values beyond float's range become ±infinity.</summary>
    void Convert(DeviceBuffer<double> source, DeviceBuffer<float> destination);

    /// <summary>destination ← source.</summary>
    void Copy(DeviceBuffer<float> source, DeviceBuffer<float> destination);

    /// <summary>x ← value everywhere.</summary>
    void Fill(DeviceBuffer<float> x, float value);
}

/// <summary>Argument checks shared by the <see cref="IBufferKernels"/> implementations.</summary>
internal static class BufferChecks
{
    /// <summary>Checks that both buffers live on <paramref name="device"/> and have the same length; returns it.</summary>
    public static int SameLength<TSource, TDestination>(Device device, DeviceBuffer<TSource> source, DeviceBuffer<TDestination> destination)
        where TSource : unmanaged where TDestination : unmanaged
    {
        On(device, source, nameof(source));
        On(device, destination, nameof(destination));
        if (source.Length != destination.Length)
            throw new ArgumentException($"source has {source.Length} elements (shape {source.Shape}), destination {destination.Length} (shape {destination.Shape}).", nameof(destination));
        return source.Length;
    }

    public static void On<T>(Device device, DeviceBuffer<T> buffer, string argument) where T : unmanaged
    {
        ArgumentNullException.ThrowIfNull(buffer, argument);
        if (!ReferenceEquals(buffer.Device, device))
            throw new DeviceMismatchException($"{argument} lives on device '{buffer.Device.Name}', but the operation runs on '{device.Name}'.");
    }
}
