namespace LearnedSolvers.Devices;

/// <summary>
/// <see cref="IBlockVectorKernels"/> from a device's vector kernels (a copy, a <see cref="Device.MultiAxpy"/> and a dot
/// per output): for ILGPU devices, whose launches these are, and for row-distributed devices, whose dots sum across ranks.
/// </summary>
internal sealed class ComposedBlockVectorKernels(Device device) : IBlockVectorKernels
{
    private const int MaxCount = 256;

    public void AddCombinations(IReadOnlyList<DeviceVector> z, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c,
        IReadOnlyList<DeviceVector> y, int outputs, Span<double> squaredNorms)
    {
        BlockVectorChecks.Check(device, z, u, count, c, y, outputs, squaredNorms);
        if (count > MaxCount) throw new ArgumentOutOfRangeException(nameof(count), count, $"At most {MaxCount} basis vectors per combination.");
        Span<double> negated = stackalloc double[count];
        for (int j = 0; j < outputs; j++)
        {
            if (!ReferenceEquals(z[j], y[j])) device.Copy(z[j], y[j]);
            for (int i = 0; i < count; i++) negated[i] = -c[j * count + i];
            if (count > 0) device.MultiAxpy(u, count, negated, y[j]);
            if (!squaredNorms.IsEmpty) squaredNorms[j] = device.Dot(y[j], y[j]);
        }
    }

    public void AddCombinationsAndProject(IReadOnlyList<DeviceVector> y, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c, int outputs,
        IReadOnlyList<DeviceVector> v, int vCount, Span<double> products)
    {
        AddCombinations(y, u, count, c, y, outputs, default);
        device.MultiDotBlock(v, vCount, y, outputs, products, vCount);
    }

    public void AddTwoCombinations(IReadOnlyList<DeviceVector> u, int count, IReadOnlyList<DeviceVector> x, ReadOnlySpan<double> a, int xOutputs,
        IReadOnlyList<DeviceVector> z, ReadOnlySpan<double> b, IReadOnlyList<DeviceVector> y, int yOutputs)
    {
        AddCombinations(x, u, count, a, x, xOutputs, default);
        AddCombinations(z, u, count, b, y, yOutputs, default);
    }
}
