using System.Collections.Concurrent;
using LearnedSolvers.Devices.Ilgpu;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// Where vectors live and kernels run (Ginkgo's Executor). Solvers are written once against these kernels.
/// Reductions are deterministic: the same input gives the same bits on the same device.
/// </summary>
public abstract class Device : IDisposable
{
    /// <summary>The multithreaded SIMD CPU device.</summary>
    public static Device Cpu => CpuDevice.Instance;

    /// <summary>
    /// The first CUDA GPU, through ILGPU (one per process, created on first use: compiling the kernels takes seconds).
    /// Throws <see cref="DeviceUnavailableException"/> when no CUDA GPU was found.
    /// </summary>
    public static Device Cuda() => IlgpuDeviceRegistry.Cuda;

    /// <summary>
    /// ILGPU's CPU accelerator running the GPU kernels: for testing those kernels without a GPU only. It is far slower
    /// than <see cref="Cpu"/>; never use it for real work.
    /// </summary>
    public static Device IlgpuCpu() => IlgpuDeviceRegistry.Cpu;

    /// <summary>CUDA when a CUDA GPU is present, else <see cref="Cpu"/>; <see cref="DefaultDescription"/> says which and why.</summary>
    public static Device Default => IlgpuDeviceRegistry.TryGetCuda(out _) ?? Cpu;

    /// <summary>Which device <see cref="Default"/> is, and why it was picked.</summary>
    public static string DefaultDescription => IlgpuDeviceRegistry.TryGetCuda(out string reason) is { } cuda
        ? $"{cuda.Description} (a CUDA GPU was found)"
        : $"cpu: {Environment.ProcessorCount} threads; {reason}";

    /// <summary>The names <see cref="FromName"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = ["cpu", "cuda", "ilgpu-cpu", "auto"];

    /// <summary>"cpu", "cuda", "ilgpu-cpu", or "auto" (<see cref="Default"/>); case-insensitive.</summary>
    public static Device FromName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "cpu" => Cpu,
            "cuda" => Cuda(),
            "ilgpu-cpu" => IlgpuCpu(),
            "auto" => Default,
            _ => throw new ArgumentException($"Unknown device '{name}'; expected one of: {string.Join(", ", Names)}.", nameof(name)),
        };
    }

    /// <summary>Short name as used on the command line ("cpu", "cuda", "ilgpu-cpu").</summary>
    public abstract string Name { get; }

    /// <summary>
    /// True where reading a result on the host waits for the queued device work (a GPU): iterations should then keep
    /// their scalars on the device (<see cref="DeviceScalars"/>) and read them every few iterations. False where
    /// operations are synchronous and a host scalar costs nothing extra.
    /// </summary>
    public abstract bool PrefersDeviceScalars { get; }

    /// <summary>
    /// True when this device's vectors are host arrays that host code may index directly (sequential sweeps such as
    /// Gauss–Seidel need this); false when they live in accelerator memory.
    /// </summary>
    public abstract bool HasHostAddressableVectors { get; }

    /// <summary>A zero vector of the given length.</summary>
    public abstract DeviceVector Allocate(int length);

    /// <summary>A device copy of host values.</summary>
    public DeviceVector Upload(ReadOnlySpan<double> values)
    {
        var v = Allocate(values.Length);
        v.CopyFrom(values);
        return v;
    }

    /// <summary>A zero buffer of <typeparamref name="T"/> (float or double) with the given shape; a rank-1 double buffer is a <see cref="DeviceVector"/>.</summary>
    public abstract DeviceBuffer<T> Allocate<T>(Shape shape) where T : unmanaged;

    /// <summary>A device copy of host values, with the given shape (of the same length).</summary>
    public DeviceBuffer<T> Upload<T>(ReadOnlySpan<T> values, Shape shape) where T : unmanaged
    {
        if (values.Length != shape.Length)
            throw new ArgumentException($"{values.Length} values were given for the shape {shape} of {shape.Length} elements.", nameof(values));
        var buffer = Allocate<T>(shape);
        buffer.CopyFrom(values);
        return buffer;
    }

    /// <summary>Uploads a matrix once; the result is an operator on this device.</summary>
    public abstract DeviceCsrMatrix Upload(CsrMatrix matrix);

    /// <summary>xᵀy.</summary>
    public abstract double Dot(DeviceVector x, DeviceVector y);

    /// <summary>‖x‖₂.</summary>
    public virtual double Norm2(DeviceVector x) => Math.Sqrt(Dot(x, x));

    /// <summary>y ← αx + y.</summary>
    public abstract void Axpy(double alpha, DeviceVector x, DeviceVector y);

    /// <summary>y ← αx + βy.</summary>
    public abstract void Axpby(double alpha, DeviceVector x, double beta, DeviceVector y);

    /// <summary>z ← αx + βy (z may alias neither x nor y, or either).</summary>
    public abstract void Waxpby(double alpha, DeviceVector x, double beta, DeviceVector y, DeviceVector z);

    /// <summary>x ← αx.</summary>
    public abstract void Scale(double alpha, DeviceVector x);

    /// <summary>destination ← source.</summary>
    public abstract void Copy(DeviceVector source, DeviceVector destination);

    /// <summary>x ← value everywhere.</summary>
    public abstract void Fill(DeviceVector x, double value);

    /// <summary>y ← a ∘ x (element-wise product; Jacobi).</summary>
    public abstract void PointwiseMultiply(DeviceVector a, DeviceVector x, DeviceVector y);

    /// <summary>result[i] = basis[i]ᵀw for i &lt; count (classical Gram-Schmidt's projections, one pass over w per vector block).</summary>
    public abstract void MultiDot(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, Span<double> result);

    /// <summary>w ← w − Σ coefficients[i] basis[i] for i &lt; count.</summary>
    public abstract void MultiAxpy(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, DeviceVector w);

    /// <summary>
    /// result[j·ld + i] ← basis[i]ᵀ vectors[j] for i &lt; count, j &lt; vectorCount (column-major, leading dimension
    /// <paramref name="ld"/> ≥ count): the projections of several vectors on one basis, as GCRO-DR's recycle-space update
    /// needs. This default makes one <see cref="MultiDot"/> per vector; a device may sweep the basis once for several.
    /// </summary>
    public virtual void MultiDotBlock(IReadOnlyList<DeviceVector> basis, int count, IReadOnlyList<DeviceVector> vectors, int vectorCount,
        Span<double> result, int ld)
    {
        CheckBlock(count, vectorCount, result.Length, ld);
        for (int j = 0; j < vectorCount; j++) MultiDot(basis, count, vectors[j], result.Slice(j * ld, count));
    }

    /// <summary>
    /// outputs[j] ← Σ_i coefficients[j·ld + i] basis[i] for i &lt; count, j &lt; outputCount (overwritten; an output must
    /// not be one of the basis vectors): several combinations of one basis. This default fills each output and adds a
    /// <see cref="MultiAxpyAdd"/>; a device may sweep the basis once for several outputs.
    /// </summary>
    public virtual void LinearCombinations(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, int ld,
        IReadOnlyList<DeviceVector> outputs, int outputCount)
    {
        CheckBlock(count, outputCount, coefficients.Length, ld);
        for (int j = 0; j < outputCount; j++)
        {
            Fill(outputs[j], 0);
            MultiAxpyAdd(basis, count, coefficients.Slice(j * ld, count), outputs[j]);
        }
    }

    /// <summary>Checks the shape of a column-major block: <paramref name="columns"/> columns of <paramref name="count"/> entries, <paramref name="ld"/> apart.</summary>
    protected static void CheckBlock(int count, int columns, int length, int ld)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if (ld < count) throw new ArgumentOutOfRangeException(nameof(ld), ld, $"The leading dimension must be at least the basis count {count}.");
        if (columns > 0 && length < (long)(columns - 1) * ld + count)
            throw new ArgumentException($"A block of {columns} columns of {count} entries, {ld} apart, needs {(long)(columns - 1) * ld + count} values; {length} were given.");
    }

    /// <summary>w ← Σ coefficients[i] basis[i] + w for i &lt; count (solution updates from a Krylov basis).</summary>
    public void MultiAxpyAdd(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, DeviceVector w)
    {
        Span<double> negated = count <= 256 ? stackalloc double[count] : new double[count];
        for (int i = 0; i < count; i++) negated[i] = -coefficients[i];
        MultiAxpy(basis, count, negated, w);
    }

    private readonly ConcurrentDictionary<object, object> _families = new();

    /// <summary>
    /// This device's implementation of a kernel family, built on first use and kept (look it up once, outside loops).
    /// </summary>
    public T Kernels<T>(KernelFamily<T> family) where T : class
    {
        ArgumentNullException.ThrowIfNull(family);
        if (_families.TryGetValue(family, out var found)) return (T)found;
        lock (_families)
        {
            if (_families.TryGetValue(family, out found)) return (T)found;
            var created = CreateKernels(family);
            _families[family] = created;
            return created;
        }
    }

    /// <summary>Builds this backend's implementation of <paramref name="family"/> (double dispatch: each backend picks its own).</summary>
    protected abstract T CreateKernels<T>(KernelFamily<T> family) where T : class;

    /// <summary>Disposes the kernel families that hold resources; a backend calls this before it releases its memory.</summary>
    protected void DisposeKernelFamilies()
    {
        lock (_families)
        {
            foreach (var family in _families.Values) (family as IDisposable)?.Dispose();
            _families.Clear();
        }
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);

    public override string ToString() => Name;

    // ---- iterations that keep their scalars on the device (read by the host only every few iterations) ----

    /// <summary>Scalars on this device, zero-initialized.</summary>
    public abstract DeviceScalars AllocateScalars(int count);

    /// <summary>s[slot] ← xᵀy, left on the device.</summary>
    public abstract void DotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot);

    /// <summary>s[slot + i] ← basis[i]ᵀw for i &lt; count, left on the device.</summary>
    public abstract void MultiDotTo(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, DeviceScalars s, int slot);

    /// <summary>Waits until every operation queued on this device has finished (a no-op where operations are synchronous): for timing.</summary>
    public virtual void Synchronize()
    {
    }

    /// <summary>Throws a clear error unless <paramref name="v"/> lives here and has the expected length.</summary>
    /// <exception cref="DeviceMismatchException"><paramref name="v"/> lives on another device.</exception>
    /// <exception cref="ArgumentException"><paramref name="v"/> has another length.</exception>
    public void Check(DeviceVector v, int expectedLength, string argument)
    {
        ArgumentNullException.ThrowIfNull(v, argument);
        if (!ReferenceEquals(v.Device, this))
            throw new DeviceMismatchException($"{argument} lives on device '{v.Device.Name}', but the operation runs on '{Name}'.");
        if (v.Length != expectedLength)
            throw new ArgumentException($"{argument} has length {v.Length}; expected {expectedLength}.", argument);
    }
}
