using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// dWeight[o, i, t] = Σ over samples and positions of dy[o] times x[i] shifted by tap t; dBias[o] = Σ dy[o]. The units of
/// <see cref="ConvolutionSlab"/> are dealt into a number of chunks fixed by the shape alone, each summing its units into
/// its own row of double partials, and the rows are added in chunk order: the same bits whatever the thread count.
/// <para>
/// Inside a unit, dy is copied with the x slab's row length, zero past the image width, so an output position and its
/// tap's x position differ by the tap's slab offset alone: the unit's rows become one flat run of positions, swept in a
/// single loop without row boundaries (the zero columns add nothing). Four output channels × up to four taps of one
/// input channel accumulate in float registers (four dy loads and up to four shifted x loads feed up to sixteen fused
/// multiply-adds), flushed into the double partials after each pass of <see cref="PassLength"/> positions.
/// </para>
/// </summary>
internal sealed class ConvolutionWeightGradientJob(CpuWorkerTeam team, ScratchSlots scratch) : CpuChunkJob
{
    /// <summary>Doubles of partials at most (16 MiB), so chunks are fewer for large kernels.</summary>
    private const int PartialBudget = 1 << 21;

    private const int MaxChunks = 256;

    /// <summary>
    /// Positions per pass: each float lane sums at most PassLength / lanes ≤ 256 products before they are added to the
    /// double partials, and a pass's four dy channels (24 KiB) stay in the L1 cache while every input channel and tap
    /// group sweeps them.
    /// </summary>
    private const int PassLength = 1536;

    private ConvolutionShape _shape;
    private ConvolutionSlab _slab;
    private CpuMemory<float> _x, _dy;
    private int _chunks, _stride;
    private int[] _taps = [];
    private double[] _partials = [];
    private double[] _totals = [];

    public void Run(ConvolutionShape shape, CpuMemory<float> x, CpuMemory<float> dy, CpuMemory<float> dWeight, CpuMemory<float>? dBias, bool accumulate)
    {
        _shape = shape;
        _slab = new ConvolutionSlab(shape, shape.InputChannels, SimdWidth.Lanes);
        if (_taps.Length < shape.Taps) _taps = new int[shape.Taps];
        _slab.TapOffsets(_taps);
        int weights = shape.WeightCount;
        _stride = weights + shape.OutputChannels;
        int units = shape.Volume == 0 ? 0 : _slab.Units;
        _chunks = Math.Min(Math.Clamp(PartialBudget / Math.Max(1, _stride), 1, MaxChunks), units);
        if (_partials.Length < _chunks * _stride) _partials = new double[_chunks * _stride];
        if (_totals.Length < _stride) _totals = new double[_stride];
        _x = x;
        _dy = dy;
        try
        {
            if (_chunks > 0) team.Run(this, _chunks);
        }
        finally
        {
            _x = _dy = default;
        }

        var totals = _totals.AsSpan(0, _stride);
        totals.Clear();
        for (int c = 0; c < _chunks; c++)
        {
            var partial = _partials.AsSpan(c * _stride, _stride);
            for (int k = 0; k < totals.Length; k++) totals[k] += partial[k];
        }
        Store(totals[..weights], dWeight.Span, accumulate);
        if (dBias is { } b) Store(totals[weights..], b.Span, accumulate);
    }

    private static void Store(ReadOnlySpan<double> sums, Span<float> gradient, bool accumulate)
    {
        for (int k = 0; k < sums.Length; k++) gradient[k] = (float)((accumulate ? gradient[k] : 0.0) + sums[k]);
    }

    public override void RunChunk(int chunk)
    {
        if (Vector512.IsHardwareAccelerated) RunChunk<Lanes512, Vector512<float>>(chunk);
        else if (Vector256.IsHardwareAccelerated) RunChunk<Lanes256, Vector256<float>>(chunk);
        else RunChunk<Lanes128, Vector128<float>>(chunk);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RunChunk<TL, TV>(int chunk) where TL : ISimdLanes<TV> where TV : struct
    {
        var s = _shape;
        var slab = _slab;
        int units = slab.Units;
        int first = (int)((long)chunk * units / _chunks), end = (int)((long)(chunk + 1) * units / _chunks);
        var partial = _partials.AsSpan(chunk * _stride, _stride);
        partial.Clear();
        int v = TL.Count;
        // x reads run up to a vector and the kernel's reach past a unit's last slab row: one zero row covers them.
        int xLength = slab.Length + slab.RowLength;
        int dyChannel = (slab.BlockRows * slab.RowLength + 2 * v - 1) / v * v;
        int slot = scratch.Acquire();
        try
        {
            var buffer = scratch.Floats(slot, xLength + s.OutputChannels * dyChannel);
            ref float xSlab = ref MemoryMarshal.GetArrayDataReference(buffer);
            ref float dySlab = ref Unsafe.Add(ref xSlab, xLength);
            ref int taps = ref MemoryMarshal.GetArrayDataReference(_taps);
            ref double sums = ref MemoryMarshal.GetReference(partial);
            int tapCount = s.Taps, inputs = s.InputChannels;
            buffer.AsSpan(slab.Length, slab.RowLength).Clear();
            for (int unit = first; unit < end; unit++)
            {
                slab.Unit(unit, out int n, out int z, out int r0, out int rows);
                slab.Fill(_x, n, z, r0, rows, buffer);
                ClearRowAfterUsed(rows, buffer);
                FillGradientRows(n, z, r0, rows, dyChannel, buffer.AsSpan(xLength, s.OutputChannels * dyChannel));
                int positions = (rows * slab.RowLength + v - 1) / v * v;
                for (int start = 0; start < positions; start += PassLength)
                {
                    var pass = new Pass(dyChannel, start, Math.Min(positions, start + PassLength), inputs * tapCount);
                    for (int o = 0; o < s.OutputChannels; o += 4)
                    {
                        int count = Math.Min(4, s.OutputChannels - o);
                        for (int k = 0; k < count; k += count == 4 ? 4 : 1)
                        {
                            ref float dy = ref Unsafe.Add(ref dySlab, (o + k) * dyChannel);
                            for (int i = 0; i < inputs; i++)
                            {
                                ref float x = ref Unsafe.Add(ref xSlab, i * slab.ChannelLength);
                                ref double target = ref Unsafe.Add(ref sums, ((o + k) * inputs + i) * tapCount);
                                if (count == 4) Taps<TL, TV, Four>(ref dy, ref x, pass, ref taps, tapCount, ref target);
                                else Taps<TL, TV, One>(ref dy, ref x, pass, ref taps, tapCount, ref target);
                            }
                        }
                    }
                }
                for (int o = 0; o < s.OutputChannels; o++)
                    Unsafe.Add(ref sums, s.WeightCount + o) += Sum<TL, TV>(ref Unsafe.Add(ref dySlab, o * dyChannel), positions);
            }
        }
        finally
        {
            scratch.Release(slot);
        }
    }

    /// <summary>
    /// Zeroes the slab row after a unit's last used row in every channel and kernel plane (when the plane has one): the
    /// flat sweep reads into it. Otherwise it reads the next plane's first row, or the zero row after the slab.
    /// </summary>
    private void ClearRowAfterUsed(int rows, Span<float> slab)
    {
        var geometry = _slab;
        int used = rows + 2 * _shape.PadHeight;
        if (used >= geometry.Rows) return;
        for (int c = 0; c < geometry.Channels; c++)
            for (int a = 0; a < _shape.KernelDepth; a++)
                slab.Slice(c * geometry.ChannelLength + a * geometry.PlaneLength + used * geometry.RowLength, geometry.RowLength).Clear();
    }

    /// <summary>
    /// All taps of one input channel for <typeparamref name="TOut"/> output channels, in groups of as many taps as the
    /// registers hold accumulators for: threes when the tap count is a multiple of 3 but not 4 (3×3, 3×3×3 kernels),
    /// else fours, with a smaller last group; twos where the core has only 16 vector registers.
    /// </summary>
    private static void Taps<TL, TV, TOut>(ref float dy, ref float x, in Pass pass, ref int taps, int tapCount, ref double target)
        where TL : ISimdLanes<TV> where TV : struct where TOut : IBlockCount
    {
        int group = !SimdWidth.ManyRegisters ? 2 : tapCount % 3 == 0 && tapCount % 4 != 0 ? 3 : 4;
        for (int t = 0; t < tapCount; t += group)
        {
            ref int tap = ref Unsafe.Add(ref taps, t);
            ref double sums = ref Unsafe.Add(ref target, t);
            switch (Math.Min(group, tapCount - t))
            {
                case 4: Correlate<TL, TV, TOut, Four>(ref dy, ref x, pass, ref tap, ref sums); break;
                case 3: Correlate<TL, TV, TOut, Three>(ref dy, ref x, pass, ref tap, ref sums); break;
                case 2: Correlate<TL, TV, TOut, Two>(ref dy, ref x, pass, ref tap, ref sums); break;
                default: Correlate<TL, TV, TOut, One>(ref dy, ref x, pass, ref tap, ref sums); break;
            }
        }
    }

    /// <summary>
    /// Copies the unit's rows of dy, every output channel, with the x slab's row length: zero past the width, and zero
    /// from the last row to the end of the channel's region (the sweep's last vector reads into it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FillGradientRows(int n, int z, int r0, int rows, int dyChannel, Span<float> destination)
    {
        var s = _shape;
        int length = _slab.RowLength;
        for (int o = 0; o < s.OutputChannels; o++)
        {
            var channel = destination.Slice(o * dyChannel, dyChannel);
            for (int r = 0; r < rows; r++)
            {
                var row = channel.Slice(r * length, length);
                _dy.Slice((((n * s.OutputChannels + o) * s.Depth + z) * s.Height + r0 + r) * s.Width, s.Width).CopyTo(row);
                row[s.Width..].Clear();
            }
            channel[(rows * length)..].Clear();
        }
    }

    /// <summary>Σ of one channel's dy positions: float vectors, their lanes summed in double.</summary>
    private static double Sum<TL, TV>(ref float dy, int positions) where TL : ISimdLanes<TV> where TV : struct
    {
        double total = 0;
        for (int start = 0; start < positions; start += PassLength)
        {
            int stop = Math.Min(positions, start + PassLength);
            TV a = TL.Load(ref dy, start);
            for (int p = start + TL.Count; p < stop; p += TL.Count) a = TL.Add(a, TL.Load(ref dy, p));
            total += TL.Sum(a);
        }
        return total;
    }

    /// <summary>One pass: dy channel stride, the positions [Start, Stop) it sweeps (whole vectors), dW stride between output channels.</summary>
    private readonly record struct Pass(int DyChannel, int Start, int Stop, int OutputStride);

    /// <summary>
    /// target[o·outputStride + k] += Σ over the pass's positions p of dy[o, p] · x[p + tap k's offset], for
    /// <typeparamref name="TOut"/> output channels and <typeparamref name="TTaps"/> taps. Tap k's statements run only
    /// when TTaps > k, a test the JIT folds away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Correlate<TL, TV, TOut, TTaps>(ref float dy, ref float x, in Pass pass, ref int taps, ref double target)
        where TL : ISimdLanes<TV> where TV : struct where TOut : IBlockCount where TTaps : IBlockCount
    {
        int v = TL.Count;
        bool k1 = TTaps.Value > 1, k2 = TTaps.Value > 2, k3 = TTaps.Value > 3, outputs = TOut.Value > 1;
        ref float x0s = ref Unsafe.Add(ref x, taps);
        ref float x1s = ref Unsafe.Add(ref x, k1 ? Unsafe.Add(ref taps, 1) : 0);
        ref float x2s = ref Unsafe.Add(ref x, k2 ? Unsafe.Add(ref taps, 2) : 0);
        ref float x3s = ref Unsafe.Add(ref x, k3 ? Unsafe.Add(ref taps, 3) : 0);
        int dyChannel = pass.DyChannel, stop = pass.Stop;
        ref float dy1 = ref Unsafe.Add(ref dy, outputs ? dyChannel : 0);
        ref float dy2 = ref Unsafe.Add(ref dy, outputs ? 2 * dyChannel : 0);
        ref float dy3 = ref Unsafe.Add(ref dy, outputs ? 3 * dyChannel : 0);
        TV a00 = default, a01 = default, a02 = default, a03 = default;
        TV a10 = default, a11 = default, a12 = default, a13 = default;
        TV a20 = default, a21 = default, a22 = default, a23 = default;
        TV a30 = default, a31 = default, a32 = default, a33 = default;
        for (int p = pass.Start; p < stop; p += v)
        {
            TV x0 = TL.Load(ref x0s, p), x1 = default, x2 = default, x3 = default;
            if (k1) x1 = TL.Load(ref x1s, p);
            if (k2) x2 = TL.Load(ref x2s, p);
            if (k3) x3 = TL.Load(ref x3s, p);
            TV g = TL.Load(ref dy, p);
            a00 = TL.MultiplyAdd(g, x0, a00);
            if (k1) a01 = TL.MultiplyAdd(g, x1, a01);
            if (k2) a02 = TL.MultiplyAdd(g, x2, a02);
            if (k3) a03 = TL.MultiplyAdd(g, x3, a03);
            if (!outputs) continue;
            g = TL.Load(ref dy1, p);
            a10 = TL.MultiplyAdd(g, x0, a10);
            if (k1) a11 = TL.MultiplyAdd(g, x1, a11);
            if (k2) a12 = TL.MultiplyAdd(g, x2, a12);
            if (k3) a13 = TL.MultiplyAdd(g, x3, a13);
            g = TL.Load(ref dy2, p);
            a20 = TL.MultiplyAdd(g, x0, a20);
            if (k1) a21 = TL.MultiplyAdd(g, x1, a21);
            if (k2) a22 = TL.MultiplyAdd(g, x2, a22);
            if (k3) a23 = TL.MultiplyAdd(g, x3, a23);
            g = TL.Load(ref dy3, p);
            a30 = TL.MultiplyAdd(g, x0, a30);
            if (k1) a31 = TL.MultiplyAdd(g, x1, a31);
            if (k2) a32 = TL.MultiplyAdd(g, x2, a32);
            if (k3) a33 = TL.MultiplyAdd(g, x3, a33);
        }
        Flush<TL, TV, TTaps>(ref target, a00, a01, a02, a03);
        if (!outputs) return;
        Flush<TL, TV, TTaps>(ref Unsafe.Add(ref target, pass.OutputStride), a10, a11, a12, a13);
        Flush<TL, TV, TTaps>(ref Unsafe.Add(ref target, 2 * pass.OutputStride), a20, a21, a22, a23);
        Flush<TL, TV, TTaps>(ref Unsafe.Add(ref target, 3 * pass.OutputStride), a30, a31, a32, a33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Flush<TL, TV, TTaps>(ref double target, TV a0, TV a1, TV a2, TV a3)
        where TL : ISimdLanes<TV> where TV : struct where TTaps : IBlockCount
    {
        target += TL.Sum(a0);
        if (TTaps.Value > 1) Unsafe.Add(ref target, 1) += TL.Sum(a1);
        if (TTaps.Value > 2) Unsafe.Add(ref target, 2) += TL.Sum(a2);
        if (TTaps.Value > 3) Unsafe.Add(ref target, 3) += TL.Sum(a3);
    }
}
