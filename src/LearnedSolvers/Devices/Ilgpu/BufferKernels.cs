using ILGPU;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>Element-wise kernels over float and mixed-precision buffers: one thread per element.</summary>
internal static class BufferKernels
{
    public static void ToDouble(Index1D i, ArrayView<float> source, ArrayView<double> destination) => destination[i] = source[i];

    public static void ToSingle(Index1D i, ArrayView<double> source, ArrayView<float> destination) => destination[i] = (float)source[i];

    public static void Fill(Index1D i, float value, ArrayView<float> x) => x[i] = value;
}
