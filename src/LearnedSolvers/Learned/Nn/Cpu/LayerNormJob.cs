using System.Numerics;
using System.Runtime.InteropServices;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// Channels-first layer normalization and its gradient. A chunk is one sample's block of positions (a block length fixed
/// by the shape); the statistics over channels are summed in double, position by position, in channel order. The
/// gradients of γ and β are summed per chunk into double partials that are added in chunk order, so the result does not
/// depend on the thread count. With one position per sample ([N, C]: features per graph node or edge) a chunk is a
/// block of samples instead, each sample's channels contiguous.
/// </summary>
internal sealed class LayerNormJob(CpuWorkerTeam team, ScratchSlots scratch) : CpuChunkJob
{
    private const int MinimumBlock = 1024;
    private const int MaxChunks = 1024;
    private const int MinimumRowsPerChunk = 256;

    private bool _backward;
    private CpuMemory<float> _x, _gamma, _beta, _y, _mean, _inverseStd, _dy, _dx;
    private double _epsilon;
    private bool _accumulate;
    private int _batch, _channels, _positions, _block, _blocks, _rowsPerChunk;
    private double[] _partials = [];

    public void Forward(Shape shape, CpuMemory<float> x, CpuMemory<float> gamma, CpuMemory<float> beta, float epsilon,
        CpuMemory<float> y, CpuMemory<float> mean, CpuMemory<float> inverseStd)
    {
        _backward = false;
        (_x, _gamma, _beta, _y, _mean, _inverseStd, _epsilon) = (x, gamma, beta, y, mean, inverseStd, epsilon);
        Run(shape);
    }

    public void Backward(Shape shape, CpuMemory<float> x, CpuMemory<float> gamma, CpuMemory<float> mean, CpuMemory<float> inverseStd,
        CpuMemory<float> dy, CpuMemory<float> dx, CpuMemory<float> dGamma, CpuMemory<float> dBeta, bool accumulate)
    {
        _backward = true;
        (_x, _gamma, _mean, _inverseStd, _dy, _dx, _accumulate) = (x, gamma, mean, inverseStd, dy, dx, accumulate);
        int chunks = Run(shape);
        int c = _channels;
        for (int k = 0; k < c; k++)
        {
            double g = 0, b = 0;
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                g += _partials[chunk * 2 * c + k];
                b += _partials[chunk * 2 * c + c + k];
            }
            dGamma.Span[k] = (float)((accumulate ? dGamma.Span[k] : 0.0) + g);
            dBeta.Span[k] = (float)((accumulate ? dBeta.Span[k] : 0.0) + b);
        }
    }

    private int Run(Shape shape)
    {
        _batch = shape[0];
        _channels = shape[1];
        _positions = CpuNetworkChecks.Trailing(shape, 2);
        int chunks;
        if (_positions == 1)
        {
            _rowsPerChunk = Math.Max(MinimumRowsPerChunk, (_batch + MaxChunks - 1) / MaxChunks);
            chunks = (_batch + _rowsPerChunk - 1) / _rowsPerChunk;
        }
        else
        {
            _rowsPerChunk = 0;
            int blocksPerSample = Math.Max(1, MaxChunks / Math.Max(1, _batch));
            _block = Math.Max(MinimumBlock, (_positions + blocksPerSample - 1) / blocksPerSample);
            _blocks = (_positions + _block - 1) / _block;
            chunks = _batch * _blocks;
        }
        if (_backward && _partials.Length < chunks * 2 * _channels) _partials = new double[chunks * 2 * _channels];
        try
        {
            if (chunks > 0 && _channels > 0) team.Run(this, chunks);
        }
        finally
        {
            _x = _gamma = _beta = _y = _mean = _inverseStd = _dy = _dx = default;
        }
        return _channels > 0 ? chunks : 0;
    }

    public override void RunChunk(int chunk)
    {
        if (_rowsPerChunk > 0)
        {
            int start = chunk * _rowsPerChunk, end = Math.Min(_batch, start + _rowsPerChunk);
            if (_backward) BackwardRows(chunk, start, end);
            else ForwardRows(start, end);
            return;
        }
        int n = chunk / _blocks, first = chunk % _blocks * _block;
        int length = Math.Min(_block, _positions - first);
        int slot = scratch.Acquire();
        try
        {
            var buffer = scratch.Doubles(slot, 2 * length);
            if (_backward) Backward(chunk, n, first, buffer.AsSpan(0, length), buffer.AsSpan(length, length));
            else Forward(n, first, buffer.AsSpan(0, length), buffer.AsSpan(length, length));
        }
        finally
        {
            scratch.Release(slot);
        }
    }

    private ReadOnlySpan<float> Row(CpuMemory<float> tensor, int n, int c, int first, int length) => tensor.Slice((n * _channels + c) * _positions + first, length);

    private void Forward(int n, int first, Span<double> mean, Span<double> squares)
    {
        int channels = _channels;
        mean.Clear();
        squares.Clear();
        for (int c = 0; c < channels; c++)
        {
            var x = Row(_x, n, c, first, mean.Length);
            for (int p = 0; p < x.Length; p++) mean[p] += x[p];
        }
        for (int p = 0; p < mean.Length; p++) mean[p] /= channels;
        for (int c = 0; c < channels; c++)
        {
            var x = Row(_x, n, c, first, mean.Length);
            for (int p = 0; p < x.Length; p++)
            {
                double d = x[p] - mean[p];
                squares[p] += d * d;
            }
        }
        var savedMean = _mean.Slice(n * _positions + first, mean.Length);
        var savedInverse = _inverseStd.Slice(n * _positions + first, mean.Length);
        for (int p = 0; p < mean.Length; p++)
        {
            squares[p] = 1 / Math.Sqrt(squares[p] / channels + _epsilon);
            savedMean[p] = (float)mean[p];
            savedInverse[p] = (float)squares[p];
        }
        for (int c = 0; c < channels; c++)
        {
            var x = Row(_x, n, c, first, mean.Length);
            var y = _y.Slice((n * channels + c) * _positions + first, mean.Length);
            double gamma = _gamma.Span[c], beta = _beta.Span[c];
            for (int p = 0; p < x.Length; p++) y[p] = (float)((x[p] - mean[p]) * squares[p] * gamma + beta);
        }
    }

    /// <summary>dx = inv · (g − mean_c g − x̂ · mean_c(g x̂)) with g = dy γ, x̂ = (x − μ) inv; γ's and β's sums into the chunk's partials.</summary>
    private void Backward(int chunk, int n, int first, Span<double> sumG, Span<double> sumGx)
    {
        int channels = _channels, length = sumG.Length;
        var partial = _partials.AsSpan(chunk * 2 * channels, 2 * channels);
        var mean = _mean.Slice(n * _positions + first, length);
        var inverse = _inverseStd.Slice(n * _positions + first, length);
        sumG.Clear();
        sumGx.Clear();
        for (int c = 0; c < channels; c++)
        {
            var x = Row(_x, n, c, first, length);
            var dy = Row(_dy, n, c, first, length);
            double gamma = _gamma.Span[c], dGamma = 0, dBeta = 0;
            for (int p = 0; p < length; p++)
            {
                double normalized = (x[p] - (double)mean[p]) * inverse[p];
                double g = dy[p] * gamma;
                sumG[p] += g;
                sumGx[p] += g * normalized;
                dGamma += dy[p] * normalized;
                dBeta += dy[p];
            }
            partial[c] = dGamma;
            partial[channels + c] = dBeta;
        }
        for (int c = 0; c < channels; c++)
        {
            var x = Row(_x, n, c, first, length);
            var dy = Row(_dy, n, c, first, length);
            var dx = _dx.Slice((n * channels + c) * _positions + first, length);
            double gamma = _gamma.Span[c];
            for (int p = 0; p < length; p++)
            {
                double normalized = (x[p] - (double)mean[p]) * inverse[p];
                double value = inverse[p] * (dy[p] * gamma - sumG[p] / channels - normalized * sumGx[p] / channels);
                dx[p] = (float)((_accumulate ? dx[p] : 0.0) + value);
            }
        }
    }

    /// <summary>Samples [start, end) of an [N, C] tensor: each row normalized over its contiguous channels.</summary>
    private void ForwardRows(int start, int end)
    {
        int channels = _channels;
        var gamma = _gamma.Span;
        var beta = _beta.Span;
        var x = _x.Span;
        var y = _y.Span;
        var means = _mean.Span;
        var inverses = _inverseStd.Span;
        for (int n = start; n < end; n++)
        {
            var row = x.Slice(n * channels, channels);
            double mean = Sum(row) / channels;
            double inverse = 1 / Math.Sqrt(SquaredDeviations(row, mean) / channels + _epsilon);
            means[n] = (float)mean;
            inverses[n] = (float)inverse;
            var output = y.Slice(n * channels, channels);
            int c = 0;
            if (channels % Vector<float>.Count == 0)
            {
                var shift = new Vector<float>((float)mean);
                var scale = new Vector<float>((float)inverse);
                for (; c < channels; c += Vector<float>.Count)
                    ((new Vector<float>(row[c..]) - shift) * scale * new Vector<float>(gamma[c..]) + new Vector<float>(beta[c..])).CopyTo(output[c..]);
            }
            for (; c < channels; c++) output[c] = (float)((row[c] - mean) * inverse * gamma[c] + beta[c]);
        }
    }

    /// <summary>Σ (values − mean)² in double, in a fixed order.</summary>
    private static double SquaredDeviations(ReadOnlySpan<float> values, double mean)
    {
        int lanes = Vector<float>.Count, c = 0;
        var total = Vector<double>.Zero;
        var shift = new Vector<double>(mean);
        for (; c <= values.Length - lanes; c += lanes)
        {
            Vector.Widen(new Vector<float>(values[c..]), out var low, out var high);
            low -= shift;
            high -= shift;
            total += low * low + high * high;
        }
        double sum = Vector.Sum(total);
        for (; c < values.Length; c++) sum += (values[c] - mean) * (values[c] - mean);
        return sum;
    }

    /// <summary>Σ values in double, in a fixed order (pairs of halves of each vector, then the tail).</summary>
    private static double Sum(ReadOnlySpan<float> values)
    {
        int lanes = Vector<float>.Count, c = 0;
        var total = Vector<double>.Zero;
        for (; c <= values.Length - lanes; c += lanes)
        {
            Vector.Widen(new Vector<float>(values[c..]), out var low, out var high);
            total += low + high;
        }
        double sum = Vector.Sum(total);
        for (; c < values.Length; c++) sum += values[c];
        return sum;
    }

    /// <summary>The gradient for samples [start, end) of an [N, C] tensor; γ's and β's sums into the chunk's partials.</summary>
    private void BackwardRows(int chunk, int start, int end)
    {
        int channels = _channels;
        var partial = _partials.AsSpan(chunk * 2 * channels, 2 * channels);
        partial.Clear();
        if (channels % Vector<float>.Count == 0)
        {
            BackwardRowsInVectors(partial, start, end);
            return;
        }
        var gamma = _gamma.Span;
        for (int n = start; n < end; n++)
        {
            var x = _x.Slice(n * channels, channels);
            var dy = _dy.Slice(n * channels, channels);
            var dx = _dx.Slice(n * channels, channels);
            double mean = _mean.Span[n], inverse = _inverseStd.Span[n], sumG = 0, sumGx = 0;
            for (int c = 0; c < channels; c++)
            {
                double normalized = (x[c] - mean) * inverse;
                double g = dy[c] * gamma[c];
                sumG += g;
                sumGx += g * normalized;
                partial[c] += dy[c] * normalized;
                partial[channels + c] += dy[c];
            }
            for (int c = 0; c < channels; c++)
            {
                double normalized = (x[c] - mean) * inverse;
                double value = inverse * (dy[c] * gamma[c] - sumG / channels - normalized * sumGx / channels);
                dx[c] = (float)((_accumulate ? dx[c] : 0.0) + value);
            }
        }
    }

    /// <summary><see cref="BackwardRows"/> for rows of whole vectors: sums in double, the row's arithmetic in float.</summary>
    private void BackwardRowsInVectors(Span<double> partial, int start, int end)
    {
        int channels = _channels, lanes = Vector<float>.Count;
        var gammaSums = MemoryMarshal.Cast<double, Vector<double>>(partial[..channels]);
        var betaSums = MemoryMarshal.Cast<double, Vector<double>>(partial[channels..]);
        var gamma = _gamma.Span;
        var x = _x.Span;
        var dy = _dy.Span;
        var dx = _dx.Span;
        var means = _mean.Span;
        var inverses = _inverseStd.Span;
        for (int n = start; n < end; n++)
        {
            var xr = x.Slice(n * channels, channels);
            var dyr = dy.Slice(n * channels, channels);
            var dxr = dx.Slice(n * channels, channels);
            var shift = new Vector<float>(means[n]);
            var scale = new Vector<float>(inverses[n]);
            var sumG = Vector<double>.Zero;
            var sumGx = Vector<double>.Zero;
            for (int c = 0; c < channels; c += lanes)
            {
                var normalized = (new Vector<float>(xr[c..]) - shift) * scale;
                var d = new Vector<float>(dyr[c..]);
                var g = d * new Vector<float>(gamma[c..]);
                Vector.Widen(g, out var gLow, out var gHigh);
                Vector.Widen(normalized, out var nLow, out var nHigh);
                Vector.Widen(d, out var dLow, out var dHigh);
                sumG += gLow + gHigh;
                sumGx += gLow * nLow + gHigh * nHigh;
                int v = 2 * (c / lanes);
                gammaSums[v] += dLow * nLow;
                gammaSums[v + 1] += dHigh * nHigh;
                betaSums[v] += dLow;
                betaSums[v + 1] += dHigh;
            }
            var meanG = new Vector<float>((float)(Vector.Sum(sumG) / channels));
            var meanGx = new Vector<float>((float)(Vector.Sum(sumGx) / channels));
            for (int c = 0; c < channels; c += lanes)
            {
                var normalized = (new Vector<float>(xr[c..]) - shift) * scale;
                var value = scale * (new Vector<float>(dyr[c..]) * new Vector<float>(gamma[c..]) - meanG - normalized * meanGx);
                if (_accumulate) value += new Vector<float>(dxr[c..]);
                value.CopyTo(dxr[c..]);
            }
        }
    }

}
