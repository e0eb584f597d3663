using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.CPU;
using ILGPU.Runtime.Cuda;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// A device backed by an ILGPU accelerator: a CUDA GPU ("cuda"), or ILGPU's CPU accelerator ("ilgpu-cpu"), which runs
/// the very same kernels slowly and exists so that CI can test them without a GPU. Get instances from
/// <see cref="Device.Cuda"/>, <see cref="Device.IlgpuCpu"/> or <see cref="Device.Default"/>.
/// <para>
/// Kernels are compiled once, in the constructor (O2 in Release builds, no kernel assertions). Element-wise kernels
/// launch asynchronously on the accelerator's default stream; a reduction leaves its result in device memory and
/// the <see cref="Device"/> API, which returns a double, then copies that one scalar to the host (a synchronization).
/// Reductions are deterministic (see <see cref="ReductionKernels"/>). Buffers for partial sums and results are
/// allocated once and grown only when a MultiDot needs more results than ever before.
/// </para>
/// <para>Calls are serialized by a lock, so several threads may share a device (their kernels interleave).</para>
/// </summary>
public sealed class IlgpuDevice : Device
{
    /// <summary>Group size of the explicitly grouped kernels (reductions, sub-warp SpMV), capped by the accelerator.</summary>
    private const int PreferredGroupSize = ReductionKernels.MaxGroupSize;

    /// <summary>Results a MultiDot can return before the result buffers grow (GMRES(30)'s largest block).</summary>
    private const int InitialResultCapacity = 32;

    private readonly Context _context;
    private readonly bool _shared;
    private readonly object _gate = new();
    private readonly int _maxReductionGroups;
    private MemoryBuffer1D<double, Stride1D.Dense> _partials;
    private MemoryBuffer1D<double, Stride1D.Dense> _results;
    private readonly MemoryBuffer1D<int, Stride1D.Dense> _arrivals;
    private int _resultCapacity;
    private int _disposed;

    private readonly Action<Index1D, double, ArrayView<double>, ArrayView<double>> _axpy;
    private readonly Action<Index1D, double, ArrayView<double>, double, ArrayView<double>, ArrayView<double>> _waxpby;
    private readonly Action<Index1D, double, ArrayView<double>> _scale;
    private readonly Action<Index1D, double, ArrayView<double>> _fill;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>> _pointwiseMultiply;
    private readonly Action<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, BasisBlock> _multiAxpy;
    private readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>> _dot;
    private readonly Action<KernelConfig, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
        ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>> _multiDotPartials;
    private readonly Action<KernelConfig, ArrayView<double>, int, ArrayView<double>> _finalSum;

    private IlgpuDevice(Context context, Accelerator accelerator, string name, bool shared)
    {
        _context = context;
        Accelerator = accelerator;
        Name = name;
        _shared = shared;
        WarpSize = accelerator.WarpSize;
        GroupSize = PowerOfTwoAtMost(Math.Min(PreferredGroupSize, accelerator.MaxNumThreadsPerGroup));
        if (GroupSize < WarpSize)
            throw new NotSupportedException($"Accelerator '{accelerator.Name}' allows groups of {accelerator.MaxNumThreadsPerGroup} threads, less than its warp size {WarpSize}.");
        // Two groups per resident-group slot fill the device for a grid-stride loop (H100, 256 threads: 132 SMs x 8 x 2 =
        // 2112 partials, folded by one group in the final pass). No larger floor: ILGPU's CPU accelerator runs groups
        // one after another with OS-thread barriers, so each extra group costs it far more than it saves; its 2 groups
        // still exercise the multi-partial final pass.
        long resident = (long)accelerator.NumMultiprocessors * accelerator.MaxNumThreadsPerMultiprocessor / GroupSize;
        _maxReductionGroups = (int)Math.Clamp(2 * resident, 2, 4096);

        _axpy = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>, ArrayView<double>>(VectorKernels.Axpy);
        _waxpby = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>, double, ArrayView<double>, ArrayView<double>>(VectorKernels.Waxpby);
        _scale = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>>(VectorKernels.Scale);
        _fill = accelerator.LoadAutoGroupedStreamKernel<Index1D, double, ArrayView<double>>(VectorKernels.Fill);
        _pointwiseMultiply = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>>(VectorKernels.PointwiseMultiply);
        _multiAxpy = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, BasisBlock>(VectorKernels.MultiAxpy);
        _dot = accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>>(ReductionKernels.Dot);
        _multiDotPartials = accelerator.LoadStreamKernel<ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>>(ReductionKernels.MultiDotPartials);
        _finalSum = accelerator.LoadStreamKernel<ArrayView<double>, int, ArrayView<double>>(ReductionKernels.FinalSum);
        SpmvScalar = accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>>(
            SpmvKernels.Scalar);
        SpmvSubwarp = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(
            SpmvKernels.Subwarp);
        SpmvScalarWithDot = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>,
            ArrayView<int>, ArrayView<double>>(SpmvKernels.ScalarWithDot);
        SpmvSubwarpWithDot = accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>,
            ArrayView<int>, ArrayView<double>>(SpmvKernels.SubwarpWithDot);

        _resultCapacity = InitialResultCapacity;
        _partials = AllocateBuffer<double>((long)_resultCapacity * _maxReductionGroups);
        _results = AllocateBuffer<double>(_resultCapacity);
        _arrivals = AllocateBuffer<int>(1);
        _arrivals.MemSetToZero();
    }

    /// <summary>"cuda" or "ilgpu-cpu".</summary>
    public override string Name { get; }

    /// <summary>True on every ILGPU accelerator: launches are queued, and a host read waits for them (the CPU accelerator runs the same kernels, so it takes the same path).</summary>
    public override bool PrefersDeviceScalars => true;

    public override bool HasHostAddressableVectors => false;

    /// <summary>The ILGPU accelerator the kernels run on.</summary>
    public Accelerator Accelerator { get; }

    /// <summary>Threads per warp (32 on NVIDIA GPUs; 4 on ILGPU's default CPU accelerator).</summary>
    public int WarpSize { get; }

    /// <summary>Threads per group of the reduction and sub-warp SpMV kernels (a power of two, at least <see cref="WarpSize"/>).</summary>
    public int GroupSize { get; }

    /// <summary>A line for logs: the device name and what the accelerator is.</summary>
    public string Description => $"{Name}: {Accelerator.Name}, {Accelerator.MemorySize / (1024.0 * 1024 * 1024):F1} GiB, warp {WarpSize}";

    internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

    /// <summary>Compiled SpMV kernels, shared by every matrix on this device.</summary>
    internal Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>> SpmvScalar { get; }

    internal Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> SpmvSubwarp { get; }

    internal Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<double>, ArrayView<int>, ArrayView<double>> SpmvScalarWithDot { get; }

    internal Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> SpmvSubwarpWithDot { get; }

    /// <summary>The partial-sums scratch buffer (at least <see cref="ReductionGroups"/> entries).</summary>
    internal ArrayView<double> PartialsView => _partials.View;

    /// <summary>The arrival counter of <see cref="ReductionKernels.FoldInLastGroup"/> (zero between launches).</summary>
    internal ArrayView<int> ArrivalsView => _arrivals.View;

    /// <summary>
    /// Takes this device's lock (launches share its scratch buffers) and makes its accelerator the calling thread's
    /// current one. A CUDA context is current per thread, and with two devices in one process (two GPUs, or a shared
    /// and a private context) a thread may last have used the other: allocations, copies, kernel loads and launches
    /// would then go to the wrong context. Use as <c>using (device.Lock()) …</c>.
    /// </summary>
    internal LockScope Lock()
    {
        Monitor.Enter(_gate);
        try
        {
            if (!ReferenceEquals(Accelerator.Current, Accelerator)) Accelerator.Bind();
        }
        catch
        {
            Monitor.Exit(_gate);
            throw;
        }
        return new LockScope(_gate);
    }

    /// <summary>The lock taken by <see cref="Lock"/>, released on Dispose.</summary>
    internal readonly ref struct LockScope(object gate)
    {
        public void Dispose() => Monitor.Exit(gate);
    }

    /// <summary>
    /// A device on ILGPU's CPU accelerator, simulating one multiprocessor with <paramref name="warpSize"/> lanes per warp
    /// and <paramref name="warpsPerGroup"/> warps (default: ILGPU's warp 4 × 4 warps, the cheapest to simulate; tests
    /// also run warp 32, the CUDA shape, to cover full-width shuffles and sub-warp SpMV up to 32 lanes).
    /// </summary>
    internal static IlgpuDevice CreateCpu(bool shared, int warpSize = 4, int warpsPerGroup = 4)
    {
        var cpu = new CPUDevice(warpSize, warpsPerGroup, 1);
        var context = Context.Create(b => Configure(b).CPU(cpu));
        try
        {
            return new IlgpuDevice(context, context.CreateCPUAccelerator(0), "ilgpu-cpu", shared);
        }
        catch
        {
            context.Dispose();
            throw;
        }
    }

    /// <summary>A device on the first CUDA GPU, or null with the reason when there is none (no driver, or no device).</summary>
    internal static IlgpuDevice? TryCreateCuda(bool shared, out string reason)
    {
        Context? context = null;
        try
        {
            context = Context.Create(b => Configure(b).Cuda());
            var gpus = context.GetCudaDevices();
            if (gpus.Count == 0)
            {
                context.Dispose();
                reason = "no CUDA GPU was found: ILGPU found no CUDA driver or no CUDA device";
                return null;
            }
            var accelerator = gpus[0].CreateCudaAccelerator(context);
            reason = "";
            return new IlgpuDevice(context, accelerator, "cuda", shared);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            context?.Dispose();
            reason = $"no CUDA GPU was found: starting CUDA failed ({e.GetType().Name}: {e.Message})";
            return null;
        }
    }

    private static Context.Builder Configure(Context.Builder builder)
    {
#if DEBUG
        // Bounds checks in kernels: slow, but they turn an out-of-range index into an exception on the CPU accelerator.
        return builder.Assertions().EnableAlgorithms();
#else
        return builder.Optimize(OptimizationLevel.O2).EnableAlgorithms();
#endif
    }

    private static int PowerOfTwoAtMost(int n) => 1 << (31 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(1, n)));

    // ---- memory ----

    protected override T CreateKernels<T>(KernelFamily<T> family)
    {
        ThrowIfDisposed();
        using (Lock()) return family.CreateFor(this);
    }

    public override DeviceVector Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ThrowIfDisposed();
        var v = new IlgpuVector(this, IlgpuMemory<double>.Owning(AllocateBuffer<double>(length)));
        // Device memory comes uninitialized; the Device contract promises a zero vector.
        if (length > 0) using (Lock()) v.View.MemSetToZero();
        return v;
    }

    public override DeviceBuffer<T> Allocate<T>(Shape shape)
    {
        if (shape.Rank == 0) throw new ArgumentException("The shape has no dimensions.", nameof(shape));
        ThrowIfDisposed();
        var memory = IlgpuMemory<T>.Owning(AllocateBuffer<T>(shape.Length));
        if (shape.Length > 0) using (Lock()) memory.View.MemSetToZero();
        return IlgpuBuffer<T>.Create(this, memory, shape, null);
    }

    public override DeviceCsrMatrix Upload(CsrMatrix matrix) => new IlgpuCsrMatrix(this, matrix, lanesPerRow: null);

    /// <summary>
    /// Uploads with a fixed SpMV kernel: <paramref name="lanesPerRow"/> = 1 is one thread per row, 2 … <see cref="WarpSize"/>
    /// (a power of two) is that many lanes of a warp per row. <see cref="Upload(CsrMatrix)"/> chooses from the row lengths.
    /// </summary>
    public IlgpuCsrMatrix Upload(CsrMatrix matrix, int lanesPerRow) => new(this, matrix, lanesPerRow);

    /// <summary>Uploads a square matrix in sliced ELL form with slices of <paramref name="sliceHeight"/> rows (the warp size when null).</summary>
    public IlgpuSlicedEllMatrix UploadSlicedEll(CsrMatrix matrix, int? sliceHeight = null)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(matrix);
        return new IlgpuSlicedEllMatrix(this, matrix, sliceHeight ?? WarpSize);
    }

    private readonly Dictionary<System.Reflection.MethodInfo, object> _loadedOnDemand = [];

    /// <summary>
    /// A kernel that few runs need, loaded by <paramref name="load"/> on first use and kept (keyed by the loader, which
    /// must be a static lambda so that every call passes the same method).
    /// </summary>
    internal TKernel LoadOnDemand<TKernel>(Func<Accelerator, TKernel> load) where TKernel : class
    {
        using (Lock())
        {
            ThrowIfDisposed();
            if (!_loadedOnDemand.TryGetValue(load.Method, out var kernel)) _loadedOnDemand[load.Method] = kernel = load(Accelerator);
            return (TKernel)kernel;
        }
    }

    /// <summary>The sliced ELL kernels, loaded on first use (most runs never need them).</summary>
    internal (Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int> Apply,
        Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>> ApplyWithDot) SlicedEllKernels
    {
        get
        {
            using (Lock())
            {
                return _slicedEll ??= (
                    Accelerator.LoadAutoGroupedStreamKernel<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>(SpmvKernels.SlicedEll),
                    Accelerator.LoadStreamKernel<ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>,
                        ArrayView<int>, ArrayView<double>>(SpmvKernels.SlicedEllWithDot));
            }
        }
    }

    private (Action<Index1D, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int>,
        Action<KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<double>, ArrayView<double>, ArrayView<double>, int, ArrayView<double>, ArrayView<int>, ArrayView<double>>)? _slicedEll;

    /// <summary>Device memory for <paramref name="length"/> elements; a clear <see cref="DeviceOutOfMemoryException"/> when it does not fit.</summary>
    internal MemoryBuffer1D<T, Stride1D.Dense> AllocateBuffer<T>(long length) where T : unmanaged
    {
        long bytes = length * Unsafe.SizeOf<T>();
        long free = FreeBytes();
        if (free >= 0 && bytes > free) throw new DeviceOutOfMemoryException(Name, bytes, free);
        try
        {
            MemoryBuffer1D<T, Stride1D.Dense> buffer;
            using (Lock()) buffer = Accelerator.Allocate1D<T>(length);
            lock (_live) _live.Add(new WeakReference<MemoryBuffer>(buffer));
            return buffer;
        }
        catch (Exception e) when (IsOutOfMemory(e))
        {
            throw new DeviceOutOfMemoryException(Name, bytes, FreeBytes(), e);
        }
    }

    private readonly List<WeakReference<MemoryBuffer>> _live = [];

    /// <summary>
    /// Bytes held by this device's allocations that are not yet disposed (nor collected): what returns to its starting
    /// level when every buffer, matrix, solver and preconditioner is disposed. Setup-time bookkeeping only.
    /// </summary>
    public long LiveBytes()
    {
        lock (_live)
        {
            long bytes = 0;
            _live.RemoveAll(w => !w.TryGetTarget(out var b) || b.IsDisposed);
            foreach (var w in _live)
                if (w.TryGetTarget(out var b)) bytes += b.LengthInBytes;
            return bytes;
        }
    }

    /// <summary>ILGPU's CUDA allocator throws CudaException with Error = the CudaError's name; the CPU accelerator, the runtime's OutOfMemoryException.</summary>
    private static bool IsOutOfMemory(Exception e) => e is OutOfMemoryException
        || (e is CudaException cuda && cuda.Error == nameof(CudaError.CUDA_ERROR_OUT_OF_MEMORY));

    /// <summary>Tests set this to pretend the device has only so many bytes free; null asks the accelerator.</summary>
    internal long? SimulatedFreeBytes { get; set; }

    /// <summary>
    /// Free device memory in bytes as the accelerator reports it (CUDA: cuMemGetInfo). The CPU accelerator allocates
    /// host memory, so there it is the memory available to this process.
    /// </summary>
    public long FreeBytes() => SimulatedFreeBytes ?? Accelerator switch
    {
        CudaAccelerator cuda => CudaFreeBytes(cuda),
        _ => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes,
    };

    private long CudaFreeBytes(CudaAccelerator cuda)
    {
        using (Lock()) return cuda.GetFreeMemory(); // cuMemGetInfo reports the current context's device
    }

    // ---- element-wise kernels ----

    public override void Axpy(double alpha, DeviceVector x, DeviceVector y)
    {
        var xs = Vec(x, nameof(x));
        var ys = Vec(y, nameof(y), xs.Length);
        if (xs.Length == 0) return;
        using (Lock()) _axpy(xs.Length, alpha, xs.View, ys.View);
    }

    public override void Axpby(double alpha, DeviceVector x, double beta, DeviceVector y)
    {
        var xs = Vec(x, nameof(x));
        var ys = Vec(y, nameof(y), xs.Length);
        if (xs.Length == 0) return;
        using (Lock()) _waxpby(xs.Length, alpha, xs.View, beta, ys.View, ys.View);
    }

    public override void Waxpby(double alpha, DeviceVector x, double beta, DeviceVector y, DeviceVector z)
    {
        var xs = Vec(x, nameof(x));
        var ys = Vec(y, nameof(y), xs.Length);
        var zs = Vec(z, nameof(z), xs.Length);
        if (xs.Length == 0) return;
        using (Lock()) _waxpby(xs.Length, alpha, xs.View, beta, ys.View, zs.View);
    }

    public override void Scale(double alpha, DeviceVector x)
    {
        var xs = Vec(x, nameof(x));
        if (xs.Length == 0) return;
        using (Lock()) _scale(xs.Length, alpha, xs.View);
    }

    public override void Copy(DeviceVector source, DeviceVector destination)
    {
        var s = Vec(source, nameof(source));
        var d = Vec(destination, nameof(destination), s.Length);
        if (s.Length == 0 || ReferenceEquals(s, d)) return;
        using (Lock()) s.View.CopyTo(d.View);
    }

    public override void Fill(DeviceVector x, double value)
    {
        var xs = Vec(x, nameof(x));
        if (xs.Length == 0) return;
        using (Lock()) _fill(xs.Length, value, xs.View);
    }

    public override void PointwiseMultiply(DeviceVector a, DeviceVector x, DeviceVector y)
    {
        var xs = Vec(x, nameof(x));
        var as_ = Vec(a, nameof(a), xs.Length);
        var ys = Vec(y, nameof(y), xs.Length);
        if (xs.Length == 0) return;
        using (Lock()) _pointwiseMultiply(xs.Length, as_.View, xs.View, ys.View);
    }

    public override void Synchronize()
    {
        ThrowIfDisposed();
        using (Lock()) Accelerator.Synchronize();
    }

    // ---- reductions: the Device API copies the one result to the host ----

    public override double Dot(DeviceVector x, DeviceVector y)
    {
        var xs = Vec(x, nameof(x));
        var ys = Vec(y, nameof(y), xs.Length);
        if (xs.Length == 0) return 0;
        using (Lock())
        {
            DotToDevice(xs, ys, _results.View);
            return ReadResult();
        }
    }

    public override void MultiDot(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, Span<double> result)
    {
        var ws = Vec(w, nameof(w));
        CheckBasis(basis, count, ws.Length, result.Length);
        if (count == 0) return;
        if (ws.Length == 0)
        {
            result[..count].Clear();
            return;
        }
        using (Lock())
        {
            EnsureResultCapacity(count);
            MultiDotToDevice(basis, count, ws, _results.View);
            ReadToHost(ResultView, result[..count]);
        }
    }

    public override void MultiAxpy(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, DeviceVector w)
    {
        var ws = Vec(w, nameof(w));
        CheckBasis(basis, count, ws.Length, coefficients.Length);
        if (count == 0 || ws.Length == 0) return;
        using (Lock())
        {
            // One launch per block of Width vectors: w is read and written count/Width times instead of count times.
            // A single launch over all vectors would need the basis in one 2D buffer (a future multi-vector type).
            for (int start = 0; start < count; start += BasisBlock.Width)
            {
                int c = Math.Min(BasisBlock.Width, count - start);
                _multiAxpy(ws.Length, ws.View,
                    BlockView(basis, start, 0, c, ws), BlockView(basis, start, 1, c, ws), BlockView(basis, start, 2, c, ws), BlockView(basis, start, 3, c, ws),
                    BlockView(basis, start, 4, c, ws), BlockView(basis, start, 5, c, ws), BlockView(basis, start, 6, c, ws), BlockView(basis, start, 7, c, ws),
                    c, BasisBlock.From(coefficients.Slice(start, c)));
            }
        }
    }

    // ---- iterations with device scalars ----

    public override DeviceScalars AllocateScalars(int count)
    {
        ThrowIfDisposed();
        return new IlgpuScalars(this, count);
    }

    public override void DotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        var xs = Vec(x, nameof(x));
        var ys = Vec(y, nameof(y), xs.Length);
        var view = ScalarsView(s, slot, 1);
        using (Lock())
        {
            if (xs.Length == 0) Fill(view);
            else DotToDevice(xs, ys, view);
        }
    }

    public override void MultiDotTo(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, DeviceScalars s, int slot)
    {
        var ws = Vec(w, nameof(w));
        CheckBasis(basis, count, ws.Length, count);
        var view = ScalarsView(s, slot, Math.Max(1, count));
        if (count == 0) return;
        using (Lock())
        {
            if (ws.Length == 0)
            {
                Fill(view.SubView(0, count));
                return;
            }
            EnsureResultCapacity(count);
            MultiDotToDevice(basis, count, ws, view);
        }
    }

    /// <summary>The device view of slots [slot, slot + count) of scalars that live here.</summary>
    internal ArrayView<double> ScalarsView(DeviceScalars s, int slot, int count)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(s);
        if (s is not IlgpuScalars g || !ReferenceEquals(g.Device, this))
            throw new DeviceMismatchException($"The scalars live on device '{s.Device.Name}', but the operation runs on '{Name}'.");
        s.CheckSlots(slot, count, nameof(slot));
        return g.View.SubView(slot, count);
    }

    /// <summary>view ← 0. Call under <see cref="Lock"/>.</summary>
    internal void Fill(ArrayView<double> view) => _fill((int)view.Length, 0.0, view);

    // ---- device-resident reductions: the result stays on the device (callers hold the lock) ----

    /// <summary>result[0] ← xᵀy, on the device; nothing is copied to the host. Call under <see cref="Lock"/>.</summary>
    internal void DotToDevice(IlgpuVector x, IlgpuVector y, ArrayView<double> result)
    {
        int groups = ReductionGroups(x.Length);
        _dot(new KernelConfig(groups, GroupSize), x.View, y.View, _partials.View, _arrivals.View, result);
    }

    /// <summary>result[k] ← basis[k]ᵀw for k &lt; count, on the device. Call under <see cref="Lock"/> after <see cref="EnsureResultCapacity"/>.</summary>
    internal void MultiDotToDevice(IReadOnlyList<DeviceVector> basis, int count, IlgpuVector w, ArrayView<double> result)
    {
        int groups = ReductionGroups(w.Length);
        var config = new KernelConfig(groups, GroupSize);
        for (int start = 0; start < count; start += BasisBlock.Width)
        {
            int c = Math.Min(BasisBlock.Width, count - start);
            _multiDotPartials(config, w.View,
                BlockView(basis, start, 0, c, w), BlockView(basis, start, 1, c, w), BlockView(basis, start, 2, c, w), BlockView(basis, start, 3, c, w),
                BlockView(basis, start, 4, c, w), BlockView(basis, start, 5, c, w), BlockView(basis, start, 6, c, w), BlockView(basis, start, 7, c, w),
                c, _partials.View.SubView((long)start * groups, (long)c * groups));
        }
        _finalSum(new KernelConfig(count, GroupSize), _partials.View, groups, result);
    }

    /// <summary>Grows the partials and results buffers so a MultiDot of <paramref name="count"/> vectors fits (rare: once per new maximum).</summary>
    internal void EnsureResultCapacity(int count)
    {
        if (count <= _resultCapacity) return;
        int capacity = Math.Max(count, 2 * _resultCapacity);
        var partials = AllocateBuffer<double>((long)capacity * _maxReductionGroups);
        var results = AllocateBuffer<double>(capacity);
        _partials.Dispose();
        _results.Dispose();
        _partials = partials;
        _results = results;
        _resultCapacity = capacity;
    }

    /// <summary>Groups of a reduction over n elements: a function of n alone, which keeps the summation order fixed.</summary>
    internal int ReductionGroups(int n) => Math.Clamp((n + GroupSize - 1) / GroupSize, 1, _maxReductionGroups);

    /// <summary>The device scratch scalars: slot 0 holds the latest reduction result.</summary>
    internal ArrayView<double> ResultView => _results.View;

    /// <summary>Copies result slot 0 to the host (synchronizes the stream). Call under <see cref="Lock"/>.</summary>
    internal double ReadResult()
    {
        Span<double> value = stackalloc double[1];
        ReadToHost(_results.View, value);
        return value[0];
    }

    /// <summary>
    /// Copies the first destination.Length doubles of <paramref name="source"/> to the host and waits for them. Through
    /// a page-locked staging array kept by the device: ILGPU's copies to a span wrap the host memory in a new buffer
    /// object per call, and a solver reads its scalars every few iterations. Call under <see cref="Lock"/>.
    /// </summary>
    internal void ReadToHost(ArrayView<double> source, Span<double> destination)
    {
        int n = destination.Length;
        if (n == 0) return;
        if (!Staging(n))
        {
            // A host that refuses to page-lock memory still gets the values, through ILGPU's own copy.
            source.SubView(0, n).CopyToCPU(destination);
            return;
        }
        source.SubView(0, n).CopyTo(_staging.ArrayView.SubView(0, n));
        Accelerator.DefaultStream.Synchronize();
        _staging.Span[..n].CopyTo(destination);
    }

    /// <summary>
    /// Copies <paramref name="source"/> into the first source.Length doubles of <paramref name="destination"/> and waits
    /// for them, through the same page-locked staging array as <see cref="ReadToHost"/> (no allocation per call).
    /// Call under <see cref="Lock"/>.
    /// </summary>
    internal void WriteFromHost(ReadOnlySpan<double> source, ArrayView<double> destination)
    {
        int n = source.Length;
        if (n == 0) return;
        if (!Staging(n))
        {
            destination.SubView(0, n).CopyFromCPU(source);
            return;
        }
        source.CopyTo(_staging.Span);
        _staging.ArrayView.SubView(0, n).CopyTo(destination.SubView(0, n));
        // The staging array is reused by the next copy: the transfer must have read it first.
        Accelerator.DefaultStream.Synchronize();
    }

    /// <summary>True when the page-locked staging array holds at least <paramref name="n"/> doubles (grown on demand; false where the host refuses to page-lock memory).</summary>
    [MemberNotNullWhen(true, nameof(_staging))]
    private bool Staging(int n)
    {
        if (!_pageLockRefused && (_staging is null || _staging.Length < n))
        {
            _staging?.Dispose();
            _staging = null;
            try
            {
                _staging = Accelerator.AllocatePageLocked1D<double>(Math.Max(n, InitialResultCapacity));
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                _pageLockRefused = true; // asked once: a refusing host is not asked again on every read
            }
        }
        return _staging is not null && _staging.Length >= n;
    }

    private PageLockedArray1D<double>? _staging;
    private bool _pageLockRefused;

    /// <summary>basis[start + k] for k &lt; count; a placeholder (never read by the kernel) past the block's end.</summary>
    private static ArrayView<double> BlockView(IReadOnlyList<DeviceVector> basis, int start, int k, int count, IlgpuVector placeholder) =>
        k < count ? ((IlgpuVector)basis[start + k]).View : placeholder.View;

    // ---- argument checks ----

    /// <summary>v as a vector of this device, checked: not disposed, here, and of the expected length (when given).</summary>
    internal IlgpuVector Vec(DeviceVector v, string argument, int expectedLength = -1)
    {
        ThrowIfDisposed();
        ArgumentNullException.ThrowIfNull(v, argument);
        if (v is not IlgpuVector g || !ReferenceEquals(g.Device, this))
            throw new DeviceMismatchException($"{argument} lives on device '{v.Device.Name}', but the operation runs on '{Name}'.");
        if (expectedLength >= 0 && g.Length != expectedLength)
            throw new ArgumentException($"{argument} has length {g.Length}; expected {expectedLength}.", argument);
        return g;
    }

    private void CheckBasis(IReadOnlyList<DeviceVector> basis, int count, int length, int resultLength)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if ((uint)count > (uint)basis.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"The basis holds {basis.Count} vectors.");
        if (resultLength < count) throw new ArgumentException($"Room for {resultLength} coefficients; {count} are needed.");
        for (int i = 0; i < count; i++)
        {
            // The argument name is formatted only on failure: this check runs every Krylov iteration.
            if (basis[i] is not IlgpuVector { Length: var n } g || n != length || !ReferenceEquals(g.Device, this)) Vec(basis[i], $"basis[{i}]", length);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    // ---- lifetime ----

    /// <summary>
    /// Releases the accelerator and its context (idempotent). The shared instances behind <see cref="Device.Cuda"/> and
    /// <see cref="Device.IlgpuCpu"/> ignore this: they live until the process exits.
    /// </summary>
    public override void Dispose()
    {
        if (_shared) return;
        Release();
    }

    /// <summary>Frees everything, shared or not (idempotent); the registry calls this at process exit.</summary>
    internal void Release()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        using (Lock())
        {
            DisposeKernelFamilies();
            _partials.Dispose();
            _results.Dispose();
            _arrivals.Dispose();
            _staging?.Dispose();
            Accelerator.Dispose();
            _context.Dispose();
        }
        GC.SuppressFinalize(this);
    }
}
