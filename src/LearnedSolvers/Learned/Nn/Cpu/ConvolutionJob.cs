using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// The forward convolution, and the input gradient as the forward convolution of dy with the kernel flipped in every
/// spatial dimension and its channel axes swapped (stride 1, symmetric "same" padding). Each chunk is one unit of
/// <see cref="ConvolutionSlab"/> (a block of output rows) and a range of output channels; it fills its slab once, then
/// for each group of four output channels sweeps the block's rows in strips of four vectors, holding 4 × 4 accumulators
/// in registers while it runs over input channels and taps: per tap, four vector loads of the slab and four broadcast
/// weights feed sixteen fused multiply-adds (4 × 2 on cores with 16 vector registers). No reduction crosses chunks, so
/// the split does not change the result.
/// </summary>
internal sealed class ConvolutionJob(CpuWorkerTeam team, ScratchSlots scratch) : CpuChunkJob
{
    private ConvolutionShape _shape;
    private ConvolutionSlab _slab;
    private CpuMemory<float> _source, _bias, _result;
    private bool _hasBias, _accumulate;
    private int _resultChannels, _groups, _groupsPerPart, _parts;
    private float[] _packed = [];
    private int[] _taps = [];

    /// <summary>y = w ⋆ x + b.</summary>
    public void Forward(ConvolutionShape shape, CpuMemory<float> x, CpuMemory<float> weight, CpuMemory<float>? bias, CpuMemory<float> y)
    {
        Prepare(shape, shape.InputChannels, shape.OutputChannels);
        int taps = shape.Taps, inputs = shape.InputChannels;
        var w = weight.Span;
        for (int o = 0; o < shape.OutputChannels; o++)
            for (int i = 0; i < inputs; i++)
                for (int t = 0; t < taps; t++)
                    _packed[(((o >> 2) * inputs + i) * taps + t) * 4 + (o & 3)] = w[(o * inputs + i) * taps + t];
        Run(x, bias, y, accumulate: false);
    }

    /// <summary>dx (+)= the transposed convolution of dy.</summary>
    public void BackwardInput(ConvolutionShape shape, CpuMemory<float> dy, CpuMemory<float> weight, CpuMemory<float> dx, bool accumulate)
    {
        Prepare(shape, shape.OutputChannels, shape.InputChannels);
        int taps = shape.Taps, outputs = shape.OutputChannels, inputs = shape.InputChannels;
        var w = weight.Span;
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                for (int t = 0; t < taps; t++)
                    _packed[(((i >> 2) * outputs + o) * taps + t) * 4 + (i & 3)] = w[(o * inputs + i) * taps + taps - 1 - t];
        Run(dy, null, dx, accumulate);
    }

    /// <summary>Sizes the slab and the packed weights [result group][source channel][tap][4] (zero beyond the last result channel).</summary>
    private void Prepare(ConvolutionShape shape, int sourceChannels, int resultChannels)
    {
        _shape = shape;
        _slab = new ConvolutionSlab(shape, sourceChannels, SimdWidth.Lanes);
        _resultChannels = resultChannels;
        _groups = (resultChannels + 3) / 4;
        int packed = _groups * sourceChannels * shape.Taps * 4;
        if (_packed.Length < packed) _packed = new float[packed];
        _packed.AsSpan(0, packed).Clear();
        if (_taps.Length < shape.Taps) _taps = new int[shape.Taps];
        _slab.TapOffsets(_taps);
    }

    private void Run(CpuMemory<float> source, CpuMemory<float>? bias, CpuMemory<float> result, bool accumulate)
    {
        _source = source;
        _result = result;
        _hasBias = bias.HasValue;
        _bias = bias ?? default;
        _accumulate = accumulate;
        int units = _slab.Units;
        // Few units (small images, a batch of one): split the output channels too, so every thread has work.
        int parts = Math.Clamp((4 * team.Parallelism + units - 1) / Math.Max(1, units), 1, Math.Max(1, _groups));
        _groupsPerPart = Math.Max(1, (_groups + parts - 1) / parts);
        _parts = Math.Max(1, (_groups + _groupsPerPart - 1) / _groupsPerPart);
        try
        {
            if (_groups > 0 && units > 0) team.Run(this, units * _parts);
        }
        finally
        {
            _source = _result = _bias = default;
        }
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
        slab.Unit(chunk / _parts, out int n, out int z, out int r0, out int rows);
        int part = chunk % _parts;
        int slot = scratch.Acquire();
        try
        {
            var buffer = scratch.Floats(slot, slab.Length + 4 * TL.Count);
            slab.Fill(_source, n, z, r0, rows, buffer);
            ref float slabStart = ref MemoryMarshal.GetArrayDataReference(buffer);
            ref float staging = ref Unsafe.Add(ref slabStart, slab.Length);
            ref int taps = ref MemoryMarshal.GetArrayDataReference(_taps);
            int volume = s.Volume, width = s.Width, channels = slab.Channels, tapCount = s.Taps;
            int g1 = Math.Min(_groups, (part + 1) * _groupsPerPart);
            for (int g = part * _groupsPerPart; g < g1; g++)
            {
                int o = 4 * g, count = Math.Min(4, _resultChannels - o);
                ref float w = ref _packed[g * channels * tapCount * 4];
                int rowStart = (n * _resultChannels + o) * volume + (z * s.Height + r0) * width;
                for (int r = 0; r < rows; r++)
                {
                    ref float x = ref Unsafe.Add(ref slabStart, r * slab.RowLength);
                    ref float y = ref _result.At(rowStart + r * width);
                    if (count == 4)
                    {
                        Row<TL, TV, Four>(ref x, ref w, ref taps, tapCount, channels, slab.ChannelLength, ref y, volume, width,
                            Bias(o), Bias(o + 1), Bias(o + 2), Bias(o + 3), ref staging);
                        continue;
                    }
                    for (int k = 0; k < count; k++)
                        Row<TL, TV, One>(ref x, ref Unsafe.Add(ref w, k), ref taps, tapCount, channels, slab.ChannelLength,
                            ref Unsafe.Add(ref y, k * volume), volume, width, Bias(o + k), 0, 0, 0, ref staging);
                }
            }
        }
        finally
        {
            scratch.Release(slot);
        }
    }

    private float Bias(int channel) => _hasBias ? _bias.At(channel) : 0f;

    /// <summary>
    /// One output row of <typeparamref name="TOut"/> channels: strips of four vectors (two where the core has only 16
    /// vector registers, so the accumulators never spill), then single vectors, then the partial vector through staging.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Row<TL, TV, TOut>(ref float x, ref float w, ref int taps, int tapCount, int channels, int channelLength,
        ref float y, int channelStride, int width, float b0, float b1, float b2, float b3, ref float staging)
        where TL : ISimdLanes<TV> where TV : struct where TOut : IBlockCount
    {
        int v = TL.Count, c = 0;
        int stride = TOut.Value > 1 ? channelStride : 0;
        ref float y1 = ref Unsafe.Add(ref y, stride);
        ref float y2 = ref Unsafe.Add(ref y, 2 * stride);
        ref float y3 = ref Unsafe.Add(ref y, 3 * stride);
        if (SimdWidth.ManyRegisters)
        {
            for (; c + 4 * v <= width; c += 4 * v)
                Strip<TL, TV, TOut, Four>(ref Unsafe.Add(ref x, c), ref w, ref taps, tapCount, channels, channelLength,
                    ref Unsafe.Add(ref y, c), ref Unsafe.Add(ref y1, c), ref Unsafe.Add(ref y2, c), ref Unsafe.Add(ref y3, c), _accumulate, b0, b1, b2, b3);
        }
        for (; c + 2 * v <= width; c += 2 * v)
            Strip<TL, TV, TOut, Two>(ref Unsafe.Add(ref x, c), ref w, ref taps, tapCount, channels, channelLength,
                ref Unsafe.Add(ref y, c), ref Unsafe.Add(ref y1, c), ref Unsafe.Add(ref y2, c), ref Unsafe.Add(ref y3, c), _accumulate, b0, b1, b2, b3);
        for (; c + v <= width; c += v)
            Strip<TL, TV, TOut, One>(ref Unsafe.Add(ref x, c), ref w, ref taps, tapCount, channels, channelLength,
                ref Unsafe.Add(ref y, c), ref Unsafe.Add(ref y1, c), ref Unsafe.Add(ref y2, c), ref Unsafe.Add(ref y3, c), _accumulate, b0, b1, b2, b3);
        if (c == width) return;
        int rest = width - c;
        var stage = MemoryMarshal.CreateSpan(ref staging, 4 * v);
        for (int k = 0; k < TOut.Value; k++)
        {
            stage.Slice(k * v, v).Clear();
            if (_accumulate) MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, k * stride + c), rest).CopyTo(stage.Slice(k * v));
        }
        Strip<TL, TV, TOut, One>(ref Unsafe.Add(ref x, c), ref w, ref taps, tapCount, channels, channelLength,
            ref staging, ref Unsafe.Add(ref staging, v), ref Unsafe.Add(ref staging, 2 * v), ref Unsafe.Add(ref staging, 3 * v), _accumulate, b0, b1, b2, b3);
        for (int k = 0; k < TOut.Value; k++)
            stage.Slice(k * v, rest).CopyTo(MemoryMarshal.CreateSpan(ref Unsafe.Add(ref y, k * stride + c), rest));
    }

    /// <summary>
    /// <typeparamref name="TCols"/> vectors of <typeparamref name="TOut"/> output rows: the accumulators start at the
    /// bias (or the output, to accumulate) and take every input channel's every tap. Column j's statements run only
    /// when TCols > j, a test the JIT folds away.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Strip<TL, TV, TOut, TCols>(ref float x, ref float w, ref int taps, int tapCount, int channels, int channelLength,
        ref float y0, ref float y1, ref float y2, ref float y3, bool accumulate, float b0, float b1, float b2, float b3)
        where TL : ISimdLanes<TV> where TV : struct where TOut : IBlockCount where TCols : IBlockCount
    {
        int v = TL.Count;
        bool c1 = TCols.Value > 1, c2 = TCols.Value > 2, c3 = TCols.Value > 3, rows = TOut.Value > 1;
        TV a00, a01 = default, a02 = default, a03 = default;
        TV a10 = default, a11 = default, a12 = default, a13 = default;
        TV a20 = default, a21 = default, a22 = default, a23 = default;
        TV a30 = default, a31 = default, a32 = default, a33 = default;
        if (accumulate)
        {
            a00 = TL.Load(ref y0, 0);
            if (c1) a01 = TL.Load(ref y0, v);
            if (c2) a02 = TL.Load(ref y0, 2 * v);
            if (c3) a03 = TL.Load(ref y0, 3 * v);
            if (rows)
            {
                a10 = TL.Load(ref y1, 0); a20 = TL.Load(ref y2, 0); a30 = TL.Load(ref y3, 0);
                if (c1) { a11 = TL.Load(ref y1, v); a21 = TL.Load(ref y2, v); a31 = TL.Load(ref y3, v); }
                if (c2) { a12 = TL.Load(ref y1, 2 * v); a22 = TL.Load(ref y2, 2 * v); a32 = TL.Load(ref y3, 2 * v); }
                if (c3) { a13 = TL.Load(ref y1, 3 * v); a23 = TL.Load(ref y2, 3 * v); a33 = TL.Load(ref y3, 3 * v); }
            }
        }
        else
        {
            a00 = a01 = a02 = a03 = TL.Broadcast(b0);
            if (rows)
            {
                a10 = a11 = a12 = a13 = TL.Broadcast(b1);
                a20 = a21 = a22 = a23 = TL.Broadcast(b2);
                a30 = a31 = a32 = a33 = TL.Broadcast(b3);
            }
        }

        for (int ci = 0; ci < channels; ci++)
        {
            ref float xc = ref Unsafe.Add(ref x, ci * channelLength);
            ref float wc = ref Unsafe.Add(ref w, ci * tapCount * 4);
            for (int t = 0; t < tapCount; t++)
            {
                ref float xs = ref Unsafe.Add(ref xc, Unsafe.Add(ref taps, t));
                ref float wt = ref Unsafe.Add(ref wc, 4 * t);
                TV x0 = TL.Load(ref xs, 0), x1 = default, x2 = default, x3 = default;
                if (c1) x1 = TL.Load(ref xs, v);
                if (c2) x2 = TL.Load(ref xs, 2 * v);
                if (c3) x3 = TL.Load(ref xs, 3 * v);
                TV k = TL.Broadcast(wt);
                a00 = TL.MultiplyAdd(k, x0, a00);
                if (c1) a01 = TL.MultiplyAdd(k, x1, a01);
                if (c2) a02 = TL.MultiplyAdd(k, x2, a02);
                if (c3) a03 = TL.MultiplyAdd(k, x3, a03);
                if (!rows) continue;
                k = TL.Broadcast(Unsafe.Add(ref wt, 1));
                a10 = TL.MultiplyAdd(k, x0, a10);
                if (c1) a11 = TL.MultiplyAdd(k, x1, a11);
                if (c2) a12 = TL.MultiplyAdd(k, x2, a12);
                if (c3) a13 = TL.MultiplyAdd(k, x3, a13);
                k = TL.Broadcast(Unsafe.Add(ref wt, 2));
                a20 = TL.MultiplyAdd(k, x0, a20);
                if (c1) a21 = TL.MultiplyAdd(k, x1, a21);
                if (c2) a22 = TL.MultiplyAdd(k, x2, a22);
                if (c3) a23 = TL.MultiplyAdd(k, x3, a23);
                k = TL.Broadcast(Unsafe.Add(ref wt, 3));
                a30 = TL.MultiplyAdd(k, x0, a30);
                if (c1) a31 = TL.MultiplyAdd(k, x1, a31);
                if (c2) a32 = TL.MultiplyAdd(k, x2, a32);
                if (c3) a33 = TL.MultiplyAdd(k, x3, a33);
            }
        }

        TL.Store(a00, ref y0, 0);
        if (c1) TL.Store(a01, ref y0, v);
        if (c2) TL.Store(a02, ref y0, 2 * v);
        if (c3) TL.Store(a03, ref y0, 3 * v);
        if (!rows) return;
        TL.Store(a10, ref y1, 0); TL.Store(a20, ref y2, 0); TL.Store(a30, ref y3, 0);
        if (c1) { TL.Store(a11, ref y1, v); TL.Store(a21, ref y2, v); TL.Store(a31, ref y3, v); }
        if (c2) { TL.Store(a12, ref y1, 2 * v); TL.Store(a22, ref y2, 2 * v); TL.Store(a32, ref y3, 2 * v); }
        if (c3) { TL.Store(a13, ref y1, 3 * v); TL.Store(a23, ref y2, 3 * v); TL.Store(a33, ref y3, 3 * v); }
    }
}
