using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// A CSR matrix on the CPU device. SpMV runs over row blocks of roughly equal entry counts (fixed at upload,
/// so partial sums of the fused dot are added in the same order every time).
/// </summary>
public sealed class CpuCsrMatrix : DeviceCsrMatrix, IInterleavedBlockOperator
{
    /// <summary>Target entries per row block: about 200 KiB of matrix data, enough to hide dispatch cost.</summary>
    private const int EntriesPerBlock = 16384;

    private readonly int[] _blockStarts;
    private readonly SpmvJob _job;
    private readonly BlockSpmvJob _blockJob;
    private readonly InterleavedSpmvJob _interleavedJob;
    private readonly object _gate = new();

    internal CpuCsrMatrix(CpuDevice device, CsrMatrix host) : base(device, host)
    {
        ArgumentNullException.ThrowIfNull(host);
        _blockStarts = PartitionRows(host, EntriesPerBlock);
        _job = new SpmvJob(host, _blockStarts);
        _blockJob = new BlockSpmvJob(host, _blockStarts);
        _interleavedJob = new InterleavedSpmvJob(host, _blockStarts);
    }

    /// <summary>Square matrices on a CPU with 512-bit vectors (elsewhere the lanes would be emulated).</summary>
    bool IInterleavedBlockOperator.SupportsInterleaved => Host.IsSquare && System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated;

    void IInterleavedBlockOperator.ApplyInterleaved(DeviceBuffer<double> x, DeviceBuffer<double> y, int columns, Span<double> gram)
    {
        const int w = IInterleavedBlockOperator.Width;
        CheckInterleaved(x, nameof(x));
        CheckInterleaved(y, nameof(y));
        if (gram.Length is > 0 and < w * w) throw new ArgumentException($"The Gram product needs {w * w} values; the span holds {gram.Length} (pass an empty span for none).", nameof(gram));
        lock (_gate)
        {
            _interleavedJob.X = CpuBuffer<double>.MemoryOf(x);
            _interleavedJob.Y = CpuBuffer<double>.MemoryOf(y);
            _interleavedJob.WithGram = !gram.IsEmpty;
            ((CpuDevice)Device).Team.Run(_interleavedJob, BlockCount);
            _interleavedJob.X = _interleavedJob.Y = default;
            if (gram.IsEmpty) return;
            for (int i = 0; i < w * w; i++)
            {
                double s = 0;
                for (int block = 0; block < BlockCount; block++) s += _interleavedJob.Partials[block * w * w + i];
                gram[i] = s;
            }
        }
    }

    /// <summary>Number of row blocks the SpMV is split into.</summary>
    public int BlockCount => _blockStarts.Length - 1;

    public override void Apply(DeviceVector x, DeviceVector y) => Run(x, y, withDot: false);

    /// <summary>Nothing to copy: the CPU product reads the host arrays themselves, and the row blocks depend on the pattern only.</summary>
    public override void UpdateValues() => ObjectDisposedException.ThrowIf(IsDisposed, this);

    public override void ApplyAndDotTo(DeviceVector x, DeviceVector y, DeviceScalars s, int slot)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (s is not CpuScalars c) throw new DeviceMismatchException($"The scalars live on device '{s.Device.Name}', but the matrix on '{Device.Name}'.");
        s.CheckSlots(slot, 1, nameof(slot));
        c.Values[slot] = ApplyAndDot(x, y);
    }

    public override void Residual(DeviceVector b, DeviceVector x, DeviceVector r)
    {
        if (!Host.IsSquare) throw new InvalidOperationException($"Residual needs a square matrix; this one is {Rows} x {Columns}.");
        Device.Check(b, Rows, nameof(b));
        Run(x, r, withDot: false, b);
    }

    public override double ApplyAndDot(DeviceVector x, DeviceVector y)
    {
        if (!Host.IsSquare) throw new InvalidOperationException($"ApplyAndDot needs a square matrix; this one is {Rows} x {Columns}.");
        return Run(x, y, withDot: true);
    }

    /// <summary>y = A x (with xᵀy when asked), or y = b − A x when <paramref name="b"/> is given.</summary>
    private double Run(DeviceVector x, DeviceVector y, bool withDot, DeviceVector? b = null)
    {
        CheckSpmv(x, y);
        lock (_gate)
        {
            _job.X = ((CpuVector)x).Memory;
            _job.Y = ((CpuVector)y).Memory;
            _job.WithDot = withDot;
            _job.B = b is null ? default : ((CpuVector)b).Memory;
            ((CpuDevice)Device).Team.Run(_job, BlockCount);
            double s = 0;
            if (withDot)
                for (int block = 0; block < BlockCount; block++) s += _job.Partials[block];
            _job.X = _job.Y = _job.B = default;
            return s;
        }
    }

    /// <summary>Y = A X for k columns at once: each row block streams its part of A once for all columns.</summary>
    public override void Apply(DeviceBuffer<double> x, DeviceBuffer<double> y) => RunBlock(x, y, CheckBlockSpmv(x, y), withDot: false, []);

    /// <summary>Y = A X with the k dots xᵀy fused per row block, summed in the order of the single-vector <see cref="ApplyAndDot(DeviceVector, DeviceVector)"/>.</summary>
    public override void ApplyAndDot(DeviceBuffer<double> x, DeviceBuffer<double> y, Span<double> xty)
    {
        int k = CheckBlockSpmv(x, y);
        CheckBlockDots(k, xty.Length);
        RunBlock(x, y, k, withDot: true, xty);
    }

    private void RunBlock(DeviceBuffer<double> x, DeviceBuffer<double> y, int k, bool withDot, Span<double> xty)
    {
        if (k == 0) return;
        var xs = CpuBuffer<double>.MemoryOf(x);
        var ys = CpuBuffer<double>.MemoryOf(y);
        lock (_gate)
        {
            _blockJob.X = xs;
            _blockJob.Y = ys;
            _blockJob.Columns = k;
            _blockJob.LeadingX = x.Shape[1];
            _blockJob.LeadingY = y.Shape[1];
            _blockJob.WithDot = withDot;
            if (withDot) _blockJob.EnsurePartials(k);
            ((CpuDevice)Device).Team.Run(_blockJob, BlockCount);
            if (withDot)
                for (int j = 0; j < k; j++)
                {
                    double s = 0;
                    for (int block = 0; block < BlockCount; block++) s += _blockJob.Partials[block * k + j];
                    xty[j] = s;
                }
            _blockJob.X = _blockJob.Y = default;
        }
    }

    /// <summary>Row boundaries such that each block holds about <paramref name="entriesPerBlock"/> entries (at least one row).</summary>
    internal static int[] PartitionRows(CsrMatrix a, int entriesPerBlock)
    {
        var starts = new List<int> { 0 };
        int rows = a.Rows;
        long target = entriesPerBlock;
        // Rows count as one entry each too, so long runs of empty or short rows still split.
        int r = 0;
        while (r < rows)
        {
            int begin = r;
            long weight = 0;
            while (r < rows && weight < target)
            {
                weight += a.RowPointers[r + 1] - a.RowPointers[r] + 1;
                r++;
            }
            if (r == begin) r++;
            starts.Add(r);
        }
        if (rows == 0) starts.Add(0);
        return starts.ToArray();
    }

    private sealed class SpmvJob(CsrMatrix a, int[] blockStarts) : CpuChunkJob
    {
        public CpuMemory<double> X, Y, B;
        public bool WithDot;
        public readonly double[] Partials = new double[blockStarts.Length - 1];

        public override void RunChunk(int chunk)
        {
            int r0 = blockStarts[chunk], r1 = blockStarts[chunk + 1];
            if (B.Array is null) a.MultiplyRows(r0, r1, X.Span, Y.Span);
            else a.ResidualRows(r0, r1, X.Span, B.Span, Y.Span);
            if (WithDot) Partials[chunk] = CpuVectorKernels.Dot(X, Y, r0, r1 - r0);
        }
    }

    /// <summary>The block product's job: apart from <see cref="SpmvJob"/>, whose one-vector path stays as lean as before.</summary>
    private sealed class BlockSpmvJob(CsrMatrix a, int[] blockStarts) : CpuChunkJob
    {
        public CpuMemory<double> X, Y;
        public int Columns, LeadingX, LeadingY;
        public bool WithDot;
        public double[] Partials = [];

        public void EnsurePartials(int columns)
        {
            int needed = (blockStarts.Length - 1) * columns;
            if (Partials.Length < needed) Partials = new double[needed];
        }

        public override void RunChunk(int chunk)
        {
            int r0 = blockStarts[chunk], r1 = blockStarts[chunk + 1];
            a.MultiplyRowsBlock(r0, r1, X.Span, Y.Span, Columns, LeadingX, LeadingY);
            if (!WithDot) return;
            for (int j = 0; j < Columns; j++)
                Partials[chunk * Columns + j] = CpuVectorKernels.Dot(X.Window(j * LeadingX, a.Columns), Y.Window(j * LeadingY, a.Rows), r0, r1 - r0);
        }
    }

    private void CheckInterleaved(DeviceBuffer<double> block, string name)
    {
        ArgumentNullException.ThrowIfNull(block, name);
        var expected = new Shape(Rows, IInterleavedBlockOperator.Width);
        if (!ReferenceEquals(block.Device, Device)) throw new DeviceMismatchException($"{name} lives on device '{block.Device.Name}', but the matrix on '{Device.Name}'.");
        if (block.Shape != expected) throw new ArgumentException($"{name} must be an interleaved block {expected}; its shape is {block.Shape}.", name);
    }

    /// <summary>The interleaved product's job: each row block's Gram partial apart, summed in block order by the caller.</summary>
    private sealed class InterleavedSpmvJob(CsrMatrix a, int[] blockStarts) : CpuChunkJob
    {
        public CpuMemory<double> X, Y;
        public bool WithGram;
        public readonly double[] Partials = new double[(blockStarts.Length - 1) * 64];

        public override void RunChunk(int chunk)
        {
            var gram = WithGram ? Partials.AsSpan(chunk * 64, 64) : default;
            gram.Clear();
            a.MultiplyRowsInterleaved(blockStarts[chunk], blockStarts[chunk + 1], X.Span, Y.Span, gram);
        }
    }
}
