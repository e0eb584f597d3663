namespace LearnedSolvers.Devices;

/// <summary>
/// Kernels on blocks of vectors given as lists of columns (views of a block or separate vectors): the updates of block
/// Krylov methods, whose coefficients form small dense matrices on the host. The Gram products go through
/// <see cref="Device.MultiDotBlock"/>, the plain combinations through <see cref="Device.LinearCombinations"/>.
/// </summary>
public interface IBlockVectorKernels
{
    /// <summary>The CPU implementation (one pass over the rows in chunks) and, on every other device, one composed of its vector kernels.</summary>
    static readonly KernelFamily<IBlockVectorKernels> Family = new("block vector kernels",
        d => new CpuBlockVectorKernels(d), d => new ComposedBlockVectorKernels(d), d => new ComposedBlockVectorKernels(d));

    /// <summary>
    /// y_j ← z_j + Σ_i c[j·count + i] u_i for i &lt; <paramref name="count"/>, j &lt; <paramref name="outputs"/> (c column-major,
    /// count × outputs); y_j may be z_j (an update in place), but no y_j may be one of the u_i. When
    /// <paramref name="squaredNorms"/> is not empty it receives ‖y_j‖² for each j.
    /// </summary>
    void AddCombinations(IReadOnlyList<DeviceVector> z, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c,
        IReadOnlyList<DeviceVector> y, int outputs, Span<double> squaredNorms);

    /// <summary>
    /// y_j ← y_j + Σ_i c[j·count + i] u_i (in place), then products[j·vCount + i] = v_iᵀ y_j for i &lt; vCount with the
    /// new y (v may list the y themselves): an update and the Gram products that follow it in one pass over the rows.
    /// </summary>
    void AddCombinationsAndProject(IReadOnlyList<DeviceVector> y, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c, int outputs,
        IReadOnlyList<DeviceVector> v, int vCount, Span<double> products);

    /// <summary>
    /// Two sets of combinations of one basis in one pass over it: x_j ← x_j + Σ_i a[j·count + i] u_i for
    /// j &lt; <paramref name="xOutputs"/> and y_j ← z_j + Σ_i b[j·count + i] u_i for j &lt; <paramref name="yOutputs"/>
    /// (y_j may be z_j; neither x_j nor y_j may be a u_i).
    /// </summary>
    void AddTwoCombinations(IReadOnlyList<DeviceVector> u, int count, IReadOnlyList<DeviceVector> x, ReadOnlySpan<double> a, int xOutputs,
        IReadOnlyList<DeviceVector> z, ReadOnlySpan<double> b, IReadOnlyList<DeviceVector> y, int yOutputs);
}

/// <summary>Argument checks shared by the <see cref="IBlockVectorKernels"/> implementations.</summary>
internal static class BlockVectorChecks
{
    /// <summary>Checks the lists, their lengths and devices and the coefficient count; returns the vectors' length.</summary>
    public static int Check(Device device, IReadOnlyList<DeviceVector> z, IReadOnlyList<DeviceVector> u, int count, ReadOnlySpan<double> c,
        IReadOnlyList<DeviceVector> y, int outputs, Span<double> squaredNorms)
    {
        ArgumentNullException.ThrowIfNull(z);
        ArgumentNullException.ThrowIfNull(u);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(outputs);
        if (count > u.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"{count} basis vectors are needed; {u.Count} were given.");
        if (outputs > y.Count || outputs > z.Count)
            throw new ArgumentOutOfRangeException(nameof(outputs), outputs, $"{outputs} outputs need as many z and y vectors; {z.Count} and {y.Count} were given.");
        if (c.Length < (long)count * outputs) throw new ArgumentException($"{count} x {outputs} coefficients are needed; {c.Length} were given.", nameof(c));
        if (!squaredNorms.IsEmpty && squaredNorms.Length < outputs)
            throw new ArgumentException($"{outputs} squared norms are written; the span holds {squaredNorms.Length}.", nameof(squaredNorms));
        if (outputs == 0) return 0;
        int n = y[0].Length;
        for (int j = 0; j < outputs; j++)
        {
            device.Check(z[j], n, nameof(z));
            device.Check(y[j], n, nameof(y));
            for (int i = 0; i < count; i++)
                if (ReferenceEquals(y[j], u[i])) throw new ArgumentException($"Output {j} is basis vector {i}; an output may only overwrite its own z.", nameof(y));
        }
        for (int i = 0; i < count; i++) device.Check(u[i], n, nameof(u));
        return n;
    }
}
