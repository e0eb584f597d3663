using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// The CPU device: SIMD kernels over fixed-size chunks, run by a persistent worker team.
/// Chunk boundaries depend only on the vector length, and per-chunk partial sums are added in chunk order,
/// so reductions give the same bits whatever the thread count or scheduling.
/// </summary>
public sealed class CpuDevice : Device
{
    /// <summary>Elements per chunk: 128 KiB per vector, large enough to amortize dispatch, small enough to balance.</summary>
    internal const int ChunkSize = 16384;

    internal static readonly CpuDevice Instance = new();

    private readonly CpuWorkerTeam _team = CpuWorkerTeam.Shared;
    private readonly VectorJob _job = new();
    private readonly object _jobGate = new();

    private CpuDevice()
    {
    }

    public override string Name => "cpu";

    public override bool PrefersDeviceScalars => false;

    public override bool HasHostAddressableVectors => true;

    /// <summary>Threads the device uses.</summary>
    public int Parallelism => _team.Parallelism;

    internal CpuWorkerTeam Team => _team;

    protected override T CreateKernels<T>(KernelFamily<T> family) => family.CreateFor(this);

    public override DeviceVector Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new CpuVector(this, CpuMemory<double>.Allocate(length));
    }

    public override DeviceBuffer<T> Allocate<T>(Shape shape)
    {
        if (shape.Rank == 0) throw new ArgumentException("The shape has no dimensions.", nameof(shape));
        return CpuBuffer<T>.Create(this, CpuMemory<T>.Allocate(shape.Length), shape, null);
    }

    public override DeviceCsrMatrix Upload(CsrMatrix matrix) => new CpuCsrMatrix(this, matrix);

    public override DeviceScalars AllocateScalars(int count) => new CpuScalars(this, count);

    public override void DotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        var values = Scalars(s, slot, 1);
        values[slot] = Dot(x, y);
    }

    public override void MultiDotTo(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, DeviceScalars s, int slot)
    {
        var values = Scalars(s, slot, count);
        MultiDot(basis, count, w, values.AsSpan(slot, count));
    }

    /// <summary>The host array behind scalars of this device, after checking that slots [slot, slot + count) exist.</summary>
    internal double[] Scalars(DeviceScalars s, int slot, int count)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s is not CpuScalars c || !ReferenceEquals(c.Device, this))
            throw new DeviceMismatchException($"The scalars live on device '{s.Device.Name}', but the operation runs on '{Name}'.");
        s.CheckSlots(slot, count, nameof(slot));
        return c.Values;
    }

    /// <summary>Never disposes: the CPU device is a process-wide singleton.</summary>
    public override void Dispose()
    {
    }

    public override double Dot(DeviceVector x, DeviceVector y)
    {
        var xs = Data(x, nameof(x));
        var ys = Data(y, nameof(y), xs.Length);
        return Reduce(VectorOp.Dot, 0, xs, 0, ys, default, default, xs.Length);
    }

    public override void Axpy(double alpha, DeviceVector x, DeviceVector y)
    {
        var xs = Data(x, nameof(x));
        Map(VectorOp.Axpy, alpha, xs, 0, Data(y, nameof(y), xs.Length), default, xs.Length);
    }

    public override void Axpby(double alpha, DeviceVector x, double beta, DeviceVector y)
    {
        var xs = Data(x, nameof(x));
        var ys = Data(y, nameof(y), xs.Length);
        Map(VectorOp.Waxpby, alpha, xs, beta, ys, ys, xs.Length);
    }

    public override void Waxpby(double alpha, DeviceVector x, double beta, DeviceVector y, DeviceVector z)
    {
        var xs = Data(x, nameof(x));
        Map(VectorOp.Waxpby, alpha, xs, beta, Data(y, nameof(y), xs.Length), Data(z, nameof(z), xs.Length), xs.Length);
    }

    public override void Scale(double alpha, DeviceVector x)
    {
        var xs = Data(x, nameof(x));
        Map(VectorOp.Scale, alpha, xs, 0, default, default, xs.Length);
    }

    public override void Copy(DeviceVector source, DeviceVector destination)
    {
        var s = Data(source, nameof(source));
        Map(VectorOp.Copy, 0, s, 0, Data(destination, nameof(destination), s.Length), default, s.Length);
    }

    public override void Fill(DeviceVector x, double value)
    {
        var xs = Data(x, nameof(x));
        Map(VectorOp.Fill, value, xs, 0, default, default, xs.Length);
    }

    public override void PointwiseMultiply(DeviceVector a, DeviceVector x, DeviceVector y)
    {
        var xs = Data(x, nameof(x));
        Map(VectorOp.PointwiseMultiply, 0, Data(a, nameof(a), xs.Length), 0, xs, Data(y, nameof(y), xs.Length), xs.Length);
    }

    /// <summary>x ← x + αp, r ← r − αq in one pass; returns ‖r‖² of the new r (the Krylov kernel family's fused update).</summary>
    internal double UpdateWithNorm(double alpha, DeviceVector p, DeviceVector q, DeviceVector x, DeviceVector r)
    {
        var ps = Data(p, nameof(p));
        int n = ps.Length;
        return Reduce(VectorOp.UpdateWithNorm, alpha, ps, 0, Data(q, nameof(q), n), Data(x, nameof(x), n), Data(r, nameof(r), n), n);
    }

    public override void MultiDot(IReadOnlyList<DeviceVector> basis, int count, DeviceVector w, Span<double> result)
    {
        var ws = Data(w, nameof(w));
        CheckBasis(basis, count, ws.Length, result.Length);
        if (count == 0) return;
        int chunk = BasisChunkSize(count);
        int chunks = ChunkCount(ws.Length, chunk);
        lock (_jobGate)
        {
            var partials = _job.Partials(chunks * count);
            _job.Set(VectorOp.MultiDot, 0, ws, 0, default, default, default, ws.Length, chunk);
            _job.Basis = basis;
            _job.BasisCount = count;
            _team.Run(_job, chunks);
            _job.Basis = null;
            for (int i = 0; i < count; i++)
            {
                double s = 0;
                for (int c = 0; c < chunks; c++) s += partials[c * count + i];
                result[i] = s;
            }
        }
    }

    public override void MultiAxpy(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, DeviceVector w)
    {
        var ws = Data(w, nameof(w));
        CheckBasis(basis, count, ws.Length, coefficients.Length);
        if (count == 0) return;
        lock (_jobGate)
        {
            var coeffs = _job.Coefficients(count);
            coefficients[..count].CopyTo(coeffs);
            int chunk = BasisChunkSize(count);
            _job.Set(VectorOp.MultiAxpy, 0, ws, 0, default, default, default, ws.Length, chunk);
            _job.Basis = basis;
            _job.BasisCount = count;
            _team.Run(_job, ChunkCount(ws.Length, chunk));
            _job.Basis = null;
        }
    }

    public override void MultiDotBlock(IReadOnlyList<DeviceVector> basis, int count, IReadOnlyList<DeviceVector> vectors, int vectorCount,
        Span<double> result, int ld)
    {
        CheckBlock(count, vectorCount, result.Length, ld);
        if (vectorCount == 0 || count == 0) return;
        int n = CheckColumns(basis, count, vectors, vectorCount, nameof(vectors));
        int chunk = BasisChunkSize(count + vectorCount);
        int chunks = ChunkCount(n, chunk);
        int block = count * vectorCount;
        lock (_jobGate)
        {
            var partials = _job.Partials(chunks * block);
            _job.Set(VectorOp.MultiDotBlock, 0, default, 0, default, default, default, n, chunk);
            _job.Basis = basis;
            _job.BasisCount = count;
            _job.Vectors = vectors;
            _job.VectorCount = vectorCount;
            _team.Run(_job, chunks);
            _job.Basis = _job.Vectors = null;
            for (int j = 0; j < vectorCount; j++)
                for (int i = 0; i < count; i++)
                {
                    double s = 0;
                    for (int c = 0; c < chunks; c++) s += partials[c * block + j * count + i];
                    result[j * ld + i] = s;
                }
        }
    }

    public override void LinearCombinations(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, int ld,
        IReadOnlyList<DeviceVector> outputs, int outputCount)
    {
        CheckBlock(count, outputCount, coefficients.Length, ld);
        if (outputCount == 0) return;
        int n = CheckColumns(basis, count, outputs, outputCount, nameof(outputs));
        int chunk = BasisChunkSize(count + outputCount);
        lock (_jobGate)
        {
            var coeffs = _job.Coefficients(outputCount * ld);
            coefficients[..((outputCount - 1) * ld + count)].CopyTo(coeffs);
            _job.Set(VectorOp.LinearCombinations, 0, default, 0, default, default, default, n, chunk);
            _job.Basis = basis;
            _job.BasisCount = count;
            _job.Vectors = outputs;
            _job.VectorCount = outputCount;
            _job.Ld = ld;
            _team.Run(_job, ChunkCount(n, chunk));
            _job.Basis = _job.Vectors = null;
        }
    }

    /// <summary>The block kernels' vectors: at least <paramref name="columnCount"/> of one length n, the basis of length n too; returns n.</summary>
    private int CheckColumns(IReadOnlyList<DeviceVector> basis, int count, IReadOnlyList<DeviceVector> columns, int columnCount, string name)
    {
        ArgumentNullException.ThrowIfNull(columns, name);
        if ((uint)columnCount > (uint)columns.Count) throw new ArgumentOutOfRangeException(name, columnCount, $"{columnCount} {name} are needed; {columns.Count} were given.");
        int n = Data(columns[0], name).Length;
        CheckBasis(columns, columnCount, n, columnCount);
        CheckBasis(basis, count, n, count);
        return n;
    }

    private void CheckBasis(IReadOnlyList<DeviceVector> basis, int count, int length, int resultLength)
    {
        ArgumentNullException.ThrowIfNull(basis);
        if ((uint)count > (uint)basis.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"The basis holds {basis.Count} vectors.");
        if (resultLength < count) throw new ArgumentException($"Room for {resultLength} coefficients; {count} are needed.");
        for (int i = 0; i < count; i++)
        {
            // The argument name is formatted only on failure: this check runs every Krylov iteration and must not allocate.
            if (basis[i] is not CpuVector { Length: var n } || n != length) Data(basis[i], $"basis[{i}]", length);
        }
    }

    internal static int ChunkCount(int length, int chunkSize = ChunkSize) => Math.Max(1, (length + chunkSize - 1) / chunkSize);

    /// <summary>
    /// Chunk length for kernels that sweep a basis of <paramref name="count"/> vectors with w: about as many element
    /// reads per chunk as an element-wise kernel's chunk, so a Gram–Schmidt pass over 20 vectors of 4,096 entries
    /// (a 64² grid) is split across the cores instead of running on one.
    /// </summary>
    internal static int BasisChunkSize(int count) => Math.Clamp(4 * ChunkSize / (count + 1) / MinimumBasisChunk * MinimumBasisChunk, MinimumBasisChunk, ChunkSize);

    private const int MinimumBasisChunk = 1024;

    private void Map(VectorOp op, double alpha, CpuMemory<double> x, double beta, CpuMemory<double> y, CpuMemory<double> z, int length)
    {
        if (length <= ChunkSize)
        {
            VectorJob.RunSlice(op, alpha, x, beta, y, z, default, 0, length);
            return;
        }
        lock (_jobGate)
        {
            _job.Set(op, alpha, x, beta, y, z, default, length);
            _team.Run(_job, ChunkCount(length));
        }
    }

    private double Reduce(VectorOp op, double alpha, CpuMemory<double> x, double beta, CpuMemory<double> y, CpuMemory<double> z, CpuMemory<double> w, int length)
    {
        if (length <= ChunkSize) return VectorJob.RunReduction(op, alpha, x, y, z, w, 0, length);
        int chunks = ChunkCount(length);
        lock (_jobGate)
        {
            var partials = _job.Partials(chunks);
            _job.Set(op, alpha, x, beta, y, z, w, length);
            _team.Run(_job, chunks);
            double s = 0;
            for (int c = 0; c < chunks; c++) s += partials[c];
            return s;
        }
    }

    private static CpuMemory<double> Data(DeviceVector v, string argument, int expectedLength = -1)
    {
        ArgumentNullException.ThrowIfNull(v, argument);
        if (v is not CpuVector c)
            throw new DeviceMismatchException($"{argument} lives on device '{v.Device.Name}', but the operation runs on 'cpu'.");
        if (expectedLength >= 0 && c.Length != expectedLength)
            throw new ArgumentException($"{argument} has length {c.Length}; expected {expectedLength}.", argument);
        return c.Memory;
    }

    private enum VectorOp
    {
        Dot,
        Axpy,
        Waxpby,
        Scale,
        Copy,
        Fill,
        PointwiseMultiply,
        UpdateWithNorm,
        MultiDot,
        MultiAxpy,
        MultiDotBlock,
        LinearCombinations,
    }

    /// <summary>The one reusable job object: its fields are the current kernel's arguments (set under the device's lock).</summary>
    private sealed class VectorJob : CpuChunkJob
    {
        private VectorOp _op;
        private double _alpha, _beta;
        private CpuMemory<double> _x;
        private CpuMemory<double> _y, _z, _w;
        private int _length, _chunkSize = ChunkSize;
        private double[] _partials = new double[64];
        private double[] _coefficients = new double[64];
        public IReadOnlyList<DeviceVector>? Basis, Vectors;
        public int BasisCount, VectorCount, Ld;

        public double[] Partials(int count)
        {
            if (_partials.Length < count) _partials = new double[count];
            return _partials;
        }

        public double[] Coefficients(int count)
        {
            if (_coefficients.Length < count) _coefficients = new double[count];
            return _coefficients;
        }

        public void Set(VectorOp op, double alpha, CpuMemory<double> x, double beta, CpuMemory<double> y, CpuMemory<double> z, CpuMemory<double> w, int length, int chunkSize = ChunkSize)
        {
            _chunkSize = chunkSize;
            _op = op;
            _alpha = alpha;
            _beta = beta;
            _x = x;
            _y = y;
            _z = z;
            _w = w;
            _length = length;
        }

        public override void RunChunk(int chunk)
        {
            int start = chunk * _chunkSize;
            int length = Math.Min(_chunkSize, _length - start);
            switch (_op)
            {
                case VectorOp.Dot:
                case VectorOp.UpdateWithNorm:
                    _partials[chunk] = RunReduction(_op, _alpha, _x, _y, _z, _w, start, length);
                    break;
                case VectorOp.MultiDot:
                    CpuVectorKernels.MultiDot(Basis!, BasisCount, _x, start, length, _partials.AsSpan(chunk * BasisCount, BasisCount));
                    break;
                case VectorOp.MultiAxpy:
                    CpuVectorKernels.MultiAxpy(Basis!, BasisCount, _coefficients, _x, start, length);
                    break;
                case VectorOp.MultiDotBlock:
                    int block = BasisCount * VectorCount;
                    CpuVectorKernels.MultiDotBlock(Basis!, BasisCount, Vectors!, VectorCount, start, length, _partials.AsSpan(chunk * block, block));
                    break;
                case VectorOp.LinearCombinations:
                    CpuVectorKernels.LinearCombinations(Basis!, BasisCount, _coefficients, Ld, Vectors!, VectorCount, start, length);
                    break;
                default:
                    RunSlice(_op, _alpha, _x, _beta, _y, _z, _w, start, length);
                    break;
            }
        }

        public static double RunReduction(VectorOp op, double alpha, CpuMemory<double> x, CpuMemory<double> y, CpuMemory<double> z, CpuMemory<double> w, int start, int length) => op switch
        {
            VectorOp.Dot => CpuVectorKernels.Dot(x, y, start, length),
            VectorOp.UpdateWithNorm => CpuVectorKernels.UpdateWithNorm(alpha, x, y, z, w, start, length),
            _ => throw new InvalidOperationException($"{op} is not a reduction."),
        };

        public static void RunSlice(VectorOp op, double alpha, CpuMemory<double> x, double beta, CpuMemory<double> y, CpuMemory<double> z, CpuMemory<double> w, int start, int length)
        {
            switch (op)
            {
                case VectorOp.Axpy: CpuVectorKernels.Axpy(alpha, x, y, start, length); break;
                case VectorOp.Waxpby: CpuVectorKernels.Waxpby(alpha, x, beta, y, z, start, length); break;
                case VectorOp.Scale: CpuVectorKernels.Scale(alpha, x, start, length); break;
                case VectorOp.Copy: x.Slice(start, length).CopyTo(y.Slice(start, length)); break;
                case VectorOp.Fill: x.Slice(start, length).Fill(alpha); break;
                case VectorOp.PointwiseMultiply: CpuVectorKernels.PointwiseMultiply(x, y, z, start, length); break;
                default: throw new InvalidOperationException($"{op} is not an element-wise kernel.");
            }
        }
    }
}
