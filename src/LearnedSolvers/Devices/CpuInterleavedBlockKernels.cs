using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace LearnedSolvers.Devices;

/// <summary>
/// The CPU's <see cref="IInterleavedBlockKernels"/>: one pass over the rows in chunks on the worker team, each row one
/// 512-bit vector; coefficient matrices held as eight vectors for the pass, Gram partials per chunk summed in chunk order.
/// </summary>
internal sealed class CpuInterleavedBlockKernels(CpuDevice device) : IInterleavedBlockKernels
{
    private const int W = IInterleavedBlockOperator.Width, Square = W * W;
    /// <summary>Rows per chunk: four blocks of 2,048 rows are 512 KiB, well inside a core's L2.</summary>
    private const int ChunkRows = 2048;
    private readonly RowJob _job = new();

    public void Pack(IReadOnlyList<DeviceVector?> columns, int count, DeviceBuffer<double> block)
    {
        int n = Rows(block, nameof(block));
        CheckColumns(columns, count, n);
        lock (_job)
        {
            _job.Set(Operation.Pack, n);
            _job.Columns = columns;
            _job.ColumnCount = count;
            _job.Y = Memory(block);
            Run();
        }
    }

    public void Unpack(DeviceBuffer<double> block, IReadOnlyList<DeviceVector> columns, int count)
    {
        int n = Rows(block, nameof(block));
        CheckColumns(columns, count, n);
        lock (_job)
        {
            _job.Set(Operation.Unpack, n);
            _job.Columns = columns;
            _job.ColumnCount = count;
            _job.Y = Memory(block);
            Run();
        }
    }

    public void Update(DeviceBuffer<double> y, DeviceBuffer<double> u, ReadOnlySpan<double> m, Span<double> uGram, Span<double> yGram)
    {
        int n = SameRows(y, u);
        lock (_job)
        {
            _job.Set(Operation.Update, n);
            (_job.Y, _job.U) = (Memory(y), Memory(u));
            _job.SetMatrix(0, m);
            _job.FirstGram = !uGram.IsEmpty;
            _job.SecondGram = !yGram.IsEmpty;
            int chunks = Run();
            if (!uGram.IsEmpty) _job.Sum(chunks, 0, uGram);
            if (!yGram.IsEmpty) _job.Sum(chunks, 1, yGram);
        }
    }

    public void Grams(DeviceBuffer<double> u, DeviceBuffer<double> v, DeviceBuffer<double> y, Span<double> uGram, Span<double> vGram)
    {
        int n = SameRows(y, u);
        SameRows(y, v);
        lock (_job)
        {
            _job.Set(Operation.Grams, n);
            (_job.Y, _job.U, _job.V) = (Memory(y), Memory(u), Memory(v));
            _job.FirstGram = _job.SecondGram = true;
            int chunks = Run();
            _job.Sum(chunks, 0, uGram);
            _job.Sum(chunks, 1, vGram);
        }
    }

    public void UpdatePair(DeviceBuffer<double> x, DeviceBuffer<double> p, DeviceBuffer<double> z, ReadOnlySpan<double> a, ReadOnlySpan<double> b, ReadOnlySpan<double> e)
    {
        int n = SameRows(x, p);
        SameRows(x, z);
        lock (_job)
        {
            _job.Set(Operation.UpdatePair, n);
            (_job.Y, _job.U, _job.V) = (Memory(x), Memory(p), Memory(z));
            _job.SetMatrix(0, a);
            _job.SetMatrix(1, b);
            _job.SetMatrix(2, e);
            Run();
        }
    }

    public void Transform(DeviceBuffer<double> y, ReadOnlySpan<double> t)
    {
        int n = Rows(y, nameof(y));
        lock (_job)
        {
            _job.Set(Operation.Transform, n);
            _job.Y = Memory(y);
            _job.SetMatrix(0, t);
            Run();
        }
    }

    private int Run()
    {
        int chunks = CpuDevice.ChunkCount(_job.Length, ChunkRows);
        _job.Prepare(chunks);
        if (chunks == 1) _job.RunChunk(0);
        else device.Team.Run(_job, chunks);
        _job.Clear();
        return chunks;
    }

    private int Rows(DeviceBuffer<double> block, string name)
    {
        ArgumentNullException.ThrowIfNull(block, name);
        if (!ReferenceEquals(block.Device, device)) throw new DeviceMismatchException($"{name} lives on device '{block.Device.Name}', but the kernel runs on '{device.Name}'.");
        if (block.Shape.Rank != 2 || block.Shape[1] != W) throw new ArgumentException($"{name} must be an interleaved block [n, {W}]; its shape is {block.Shape}.", name);
        return block.Shape[0];
    }

    private int SameRows(DeviceBuffer<double> a, DeviceBuffer<double> b)
    {
        int n = Rows(a, nameof(a));
        if (Rows(b, nameof(b)) != n) throw new ArgumentException($"The blocks have {n} and {b.Shape[0]} rows.", nameof(b));
        return n;
    }

    private void CheckColumns(IReadOnlyList<DeviceVector?> columns, int count, int n)
    {
        ArgumentNullException.ThrowIfNull(columns);
        if ((uint)count > W || count > columns.Count) throw new ArgumentOutOfRangeException(nameof(count), count, $"At most {W} columns, and no more than the {columns.Count} given.");
        for (int j = 0; j < count; j++)
            if (columns[j] is { } column) device.Check(column, n, nameof(columns));
    }

    private static CpuMemory<double> Memory(DeviceBuffer<double> buffer) => CpuBuffer<double>.MemoryOf(buffer);

    private enum Operation { Pack, Unpack, Update, Grams, UpdatePair, Transform }

    private sealed class RowJob : CpuChunkJob
    {
        public CpuMemory<double> Y, U, V;
        public IReadOnlyList<DeviceVector?>? Columns;
        public int ColumnCount, Length;
        public bool FirstGram, SecondGram;
        private Operation _operation;
        private readonly double[] _matrices = new double[3 * Square];
        private double[] _partials = new double[2 * Square];

        public void Set(Operation operation, int rows)
        {
            _operation = operation;
            Length = rows;
            FirstGram = SecondGram = false;
        }

        public void SetMatrix(int index, ReadOnlySpan<double> m)
        {
            if (m.Length < Square) throw new ArgumentException($"A coefficient matrix has {Square} entries; {m.Length} were given.", nameof(m));
            m[..Square].CopyTo(_matrices.AsSpan(index * Square));
        }

        public void Prepare(int chunks)
        {
            if (_partials.Length < chunks * 2 * Square) _partials = new double[chunks * 2 * Square];
        }

        /// <summary>result = Σ over the chunks, in chunk order, of Gram partial <paramref name="which"/>.</summary>
        public void Sum(int chunks, int which, Span<double> result)
        {
            if (result.Length < Square) throw new ArgumentException($"A Gram product has {Square} entries; the span holds {result.Length}.", nameof(result));
            for (int i = 0; i < Square; i++)
            {
                double s = 0;
                for (int c = 0; c < chunks; c++) s += _partials[(2 * c + which) * Square + i];
                result[i] = s;
            }
        }

        public void Clear()
        {
            Y = U = V = default;
            Columns = null;
        }

        public override void RunChunk(int chunk)
        {
            int start = chunk * ChunkRows, end = Math.Min(Length, start + ChunkRows);
            var grams = _partials.AsSpan(2 * chunk * Square, 2 * Square);
            switch (_operation)
            {
                case Operation.Pack:
                    for (int j = 0; j < W; j++)
                    {
                        ref double lane = ref Y.At(j);
                        if (j < ColumnCount && Columns![j] is CpuVector source)
                        {
                            ref double column = ref source.Memory.At(0);
                            for (int i = start; i < end; i++) Unsafe.Add(ref lane, i * W) = Unsafe.Add(ref column, i);
                        }
                        else
                            for (int i = start; i < end; i++) Unsafe.Add(ref lane, i * W) = 0;
                    }
                    break;
                case Operation.Unpack:
                    for (int j = 0; j < ColumnCount; j++)
                    {
                        ref double lane = ref Y.At(j);
                        ref double column = ref ((CpuVector)Columns![j]!).Memory.At(0);
                        for (int i = start; i < end; i++) Unsafe.Add(ref column, i) = Unsafe.Add(ref lane, i * W);
                    }
                    break;
                case Operation.Update:
                    Update(start, end, grams);
                    break;
                case Operation.Grams:
                    Grams(start, end, grams);
                    break;
                case Operation.UpdatePair:
                    UpdatePair(start, end);
                    break;
                case Operation.Transform:
                    Transform(start, end);
                    break;
            }
        }

        /// <summary>
        /// addend + row·M for a row of eight lanes and M given as its eight rows: two chains of four multiply-adds, so
        /// that consecutive rows overlap instead of waiting on one chain of eight.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<double> Times(ref double row, in Matrix m, Vector512<double> addend)
        {
            var low = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref row, 3)), m.R3,
                Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref row, 2)), m.R2,
                Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref row, 1)), m.R1,
                Vector512.FusedMultiplyAdd(Vector512.Create(row), m.R0, addend))));
            var high = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref row, 7)), m.R7,
                Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref row, 6)), m.R6,
                Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref row, 5)), m.R5,
                Vector512.Create(Unsafe.Add(ref row, 4)) * m.R4)));
            return low + high;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Update(int start, int end, Span<double> grams)
        {
            var m = new Matrix(_matrices.AsSpan(0, Square));
            var gu = new Gram();
            var gy = new Gram();
            for (int i = start; i < end; i++)
            {
                ref double u = ref U.At(i * W);
                ref double yr = ref Y.At(i * W);
                var y = Times(ref u, m, Vector512.LoadUnsafe(ref yr));
                y.StoreUnsafe(ref yr);
                if (FirstGram) gu.Add(ref u, y);
                if (SecondGram) gy.Add(ref yr, y);
            }
            gu.Store(grams[..Square]);
            gy.Store(grams[Square..]);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Grams(int start, int end, Span<double> grams)
        {
            var gu = new Gram();
            var gv = new Gram();
            for (int i = start; i < end; i++)
            {
                var y = Vector512.LoadUnsafe(ref Y.At(i * W));
                gu.Add(ref U.At(i * W), y);
                gv.Add(ref V.At(i * W), y);
            }
            gu.Store(grams[..Square]);
            gv.Store(grams[Square..]);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void UpdatePair(int start, int end)
        {
            var a = new Matrix(_matrices.AsSpan(0, Square));
            var b = new Matrix(_matrices.AsSpan(Square, Square));
            var e = new Matrix(_matrices.AsSpan(2 * Square, Square));
            bool identity = IsIdentity(_matrices.AsSpan(2 * Square, Square));
            for (int i = start; i < end; i++)
            {
                ref double x = ref Y.At(i * W);
                ref double p = ref U.At(i * W);
                Times(ref p, a, Vector512.LoadUnsafe(ref x)).StoreUnsafe(ref x);
                ref double z = ref V.At(i * W);
                // E is the identity until a column leaves the block: Z's row as it is.
                var next = Times(ref p, b, identity ? Vector512.LoadUnsafe(ref z) : Times(ref z, e, Vector512<double>.Zero));
                next.StoreUnsafe(ref p);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Transform(int start, int end)
        {
            var t = new Matrix(_matrices.AsSpan(0, Square));
            for (int i = start; i < end; i++)
            {
                ref double y = ref Y.At(i * W);
                Times(ref y, t, Vector512<double>.Zero).StoreUnsafe(ref y);
            }
        }
    }

    private static bool IsIdentity(ReadOnlySpan<double> m)
    {
        for (int t = 0; t < W; t++)
            for (int a = 0; a < W; a++)
                if (m[t * W + a] != (t == a ? 1 : 0)) return false;
        return true;
    }

    /// <summary>An 8 × 8 coefficient matrix as its eight rows.</summary>
    private readonly struct Matrix(ReadOnlySpan<double> m)
    {
        public readonly Vector512<double> R0 = Vector512.Create(m[..8]), R1 = Vector512.Create(m[8..16]), R2 = Vector512.Create(m[16..24]), R3 = Vector512.Create(m[24..32]);
        public readonly Vector512<double> R4 = Vector512.Create(m[32..40]), R5 = Vector512.Create(m[40..48]), R6 = Vector512.Create(m[48..56]), R7 = Vector512.Create(m[56..64]);
    }

    /// <summary>Accumulates Σ_i U[i, t] Y[i, ·] as eight row vectors.</summary>
    private struct Gram
    {
        private Vector512<double> _g0, _g1, _g2, _g3, _g4, _g5, _g6, _g7;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Add(ref double u, Vector512<double> y)
        {
            _g0 = Vector512.FusedMultiplyAdd(Vector512.Create(u), y, _g0);
            _g1 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 1)), y, _g1);
            _g2 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 2)), y, _g2);
            _g3 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 3)), y, _g3);
            _g4 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 4)), y, _g4);
            _g5 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 5)), y, _g5);
            _g6 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 6)), y, _g6);
            _g7 = Vector512.FusedMultiplyAdd(Vector512.Create(Unsafe.Add(ref u, 7)), y, _g7);
        }

        public readonly void Store(Span<double> target)
        {
            _g0.CopyTo(target[..8]);
            _g1.CopyTo(target[8..16]);
            _g2.CopyTo(target[16..24]);
            _g3.CopyTo(target[24..32]);
            _g4.CopyTo(target[32..40]);
            _g5.CopyTo(target[40..48]);
            _g6.CopyTo(target[48..56]);
            _g7.CopyTo(target[56..64]);
        }
    }
}
