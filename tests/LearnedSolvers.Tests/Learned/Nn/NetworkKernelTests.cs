using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>
/// The network kernels (<see cref="INetworkKernels"/>) against hand-worked cases and naive double-precision references,
/// their gradients against finite differences and the adjoint identity, and their argument checks. Written once;
/// subclasses pick the device.
/// </summary>
public abstract partial class NetworkKernelTests
{
    /// <summary>Float's unit roundoff, 2⁻²⁴.</summary>
    protected const double Roundoff = 1.0 / (1 << 24);

    protected abstract Device Device { get; }

    protected INetworkKernels Kernels => Device.Kernels(INetworkKernels.Family);

    /// <summary>A device the kernels' device is not, for the mismatch checks.</summary>
    protected Device OtherDevice => Device == Device.Cpu ? Device.IlgpuCpu() : Device.Cpu;

    protected DeviceBuffer<float> Upload(float[] values, params int[] shape) => Device.Upload<float>(values, new Shape(shape));

    protected DeviceBuffer<float> Upload(double[] values, params int[] shape) => Upload(Array.ConvertAll(values, v => (float)v), shape);

    protected DeviceBuffer<int> UploadIndices(int[] values) => Device.Upload<int>(values, new Shape(values.Length));

    protected DeviceBuffer<float> Zeros(params int[] shape) => Device.Allocate<float>(new Shape(shape));

    protected DeviceBuffer<float> Filled(float value, params int[] shape)
    {
        var values = new float[new Shape(shape).Length];
        Array.Fill(values, value);
        return Upload(values, shape);
    }

    /// <summary>Uniform values in [−1, 1), rounded to float, as doubles (so the reference sees exactly what the kernel sees).</summary>
    protected static double[] RandomValues(int length, int seed)
    {
        var random = new Random(seed);
        var values = new double[length];
        for (int i = 0; i < length; i++) values[i] = (float)(2 * random.NextDouble() - 1);
        return values;
    }

    protected static double[] ToDouble(DeviceBuffer<float> buffer) => Array.ConvertAll(buffer.ToArray(), v => (double)v);

    /// <summary>|actual − expected| ≤ tolerance · max(magnitude, floor) element by element, naming the first failure.</summary>
    protected static void AssertClose(double[] expected, double[] actual, double[] magnitude, double tolerance, string what, double floor = 1e-3)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            double allowed = tolerance * Math.Max(magnitude[i], floor);
            if (!(Math.Abs(actual[i] - expected[i]) <= allowed))
                Assert.Fail($"{what}[{i}] = {actual[i]:R}; expected {expected[i]:R} ± {allowed:G3}");
        }
    }

    /// <summary>Relative closeness with the values' own size as the magnitude.</summary>
    protected static void AssertClose(double[] expected, double[] actual, double tolerance, string what, double floor = 1e-3) =>
        AssertClose(expected, actual, Array.ConvertAll(expected, Math.Abs), tolerance, what, floor);

    protected static void AssertBitwiseEqual(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (BitConverter.SingleToInt32Bits(expected[i]) != BitConverter.SingleToInt32Bits(actual[i]))
                Assert.Fail($"{what}[{i}]: {actual[i]:R} differs from the first run's {expected[i]:R}");
    }

    protected static double[] Add(double[] a, double[] b) => a.Select((v, i) => v + b[i]).ToArray();
}
