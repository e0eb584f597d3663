using System.Numerics;
using System.Runtime.InteropServices;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// nn.Linear on the last dimension and its gradients, over M rows. The forward pass and the input gradient are row
/// axpys (one output row at a time, in a fixed order). The weight gradient sums rows in double: the rows are dealt into
/// a number of chunks fixed by the shape, each with its own partial dW and db, added in chunk order.
/// </summary>
internal sealed class LinearJob(CpuWorkerTeam team, ScratchSlots scratch) : CpuChunkJob
{
    private const int PartialBudget = 1 << 21;
    private const int MaxChunks = 256;
    private const int MinimumRowsPerChunk = 64;

    private enum Operation { Forward, BackwardInput, BackwardWeight }

    private Operation _operation;
    private CpuMemory<float> _a, _b, _bias, _result;
    private bool _hasBias, _accumulate;
    private int _rows, _inputs, _outputs, _rowsPerChunk, _stride;
    private float[] _transposed = [];
    private double[] _partials = [];

    /// <summary>y = x wᵀ + b.</summary>
    public void Forward(int rows, int inputs, int outputs, CpuMemory<float> x, CpuMemory<float> weight, CpuMemory<float>? bias, CpuMemory<float> y)
    {
        if (_transposed.Length < inputs * outputs) _transposed = new float[inputs * outputs];
        var w = weight.Span;
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < inputs; i++)
                _transposed[i * outputs + o] = w[o * inputs + i];
        _hasBias = bias.HasValue;
        _bias = bias ?? default;
        Run(Operation.Forward, rows, inputs, outputs, x, default, y, false, RowsPerChunk(inputs, outputs));
    }

    /// <summary>dx (+)= dy w.</summary>
    public void BackwardInput(int rows, int inputs, int outputs, CpuMemory<float> dy, CpuMemory<float> weight, CpuMemory<float> dx, bool accumulate) =>
        Run(Operation.BackwardInput, rows, inputs, outputs, dy, weight, dx, accumulate, RowsPerChunk(inputs, outputs));

    /// <summary>dW (+)= dyᵀ x, db (+)= Σ_rows dy.</summary>
    public void BackwardWeight(int rows, int inputs, int outputs, CpuMemory<float> x, CpuMemory<float> dy, CpuMemory<float> dWeight, CpuMemory<float>? dBias, bool accumulate)
    {
        _stride = outputs * inputs + outputs;
        int cap = Math.Clamp(PartialBudget / Math.Max(1, _stride), 1, MaxChunks);
        int perChunk = Math.Max(MinimumRowsPerChunk, (rows + cap - 1) / cap);
        int chunks = (rows + perChunk - 1) / perChunk;
        if (_partials.Length < chunks * _stride) _partials = new double[chunks * _stride];
        Run(Operation.BackwardWeight, rows, inputs, outputs, x, dy, default, accumulate, perChunk);
        var dw = dWeight.Span;
        for (int k = 0; k < outputs * inputs; k++) dw[k] = (float)((accumulate ? dw[k] : 0.0) + Sum(chunks, k));
        if (dBias is { } b)
        {
            var db = b.Span;
            for (int o = 0; o < outputs; o++) db[o] = (float)((accumulate ? db[o] : 0.0) + Sum(chunks, outputs * inputs + o));
        }
    }

    private double Sum(int chunks, int k)
    {
        double s = 0;
        for (int c = 0; c < chunks; c++) s += _partials[c * _stride + k];
        return s;
    }

    private static int RowsPerChunk(int inputs, int outputs) => Math.Max(1, CpuDevice.ChunkSize * 4 / Math.Max(1, inputs * outputs));

    private void Run(Operation operation, int rows, int inputs, int outputs, CpuMemory<float> a, CpuMemory<float> b, CpuMemory<float> result, bool accumulate, int rowsPerChunk)
    {
        (_operation, _rows, _inputs, _outputs, _a, _b, _result, _accumulate, _rowsPerChunk) = (operation, rows, inputs, outputs, a, b, result, accumulate, rowsPerChunk);
        try
        {
            if (rows > 0) team.Run(this, (rows + rowsPerChunk - 1) / rowsPerChunk);
        }
        finally
        {
            _a = _b = _result = _bias = default;
        }
    }

    public override void RunChunk(int chunk)
    {
        int first = chunk * _rowsPerChunk, end = Math.Min(_rows, first + _rowsPerChunk);
        switch (_operation)
        {
            case Operation.Forward when _outputs % Vector<float>.Count == 0:
                ForwardInVectors(first, end);
                break;
            case Operation.BackwardInput when _inputs % Vector<float>.Count == 0:
                BackwardInputInVectors(first, end);
                break;
            case Operation.BackwardWeight when _inputs % Vector<double>.Count == 0:
                WeightChunkInVectors(chunk, first, end);
                break;
            case Operation.Forward:
                for (int m = first; m < end; m++)
                {
                    var x = _a.Slice(m * _inputs, _inputs);
                    var y = _result.Slice(m * _outputs, _outputs);
                    if (_hasBias) _bias.Span.CopyTo(y);
                    else y.Clear();
                    for (int i = 0; i < _inputs; i++) Axpy(x[i], _transposed.AsSpan(i * _outputs, _outputs), y);
                }
                break;
            case Operation.BackwardInput:
                for (int m = first; m < end; m++)
                {
                    var dy = _a.Slice(m * _outputs, _outputs);
                    var dx = _result.Slice(m * _inputs, _inputs);
                    if (!_accumulate) dx.Clear();
                    for (int o = 0; o < _outputs; o++) Axpy(dy[o], _b.Slice(o * _inputs, _inputs), dx);
                }
                break;
            case Operation.BackwardWeight:
                WeightChunk(chunk, first, end);
                break;
        }
    }

    // Narrow layers (a graph network's 16 features): a row's outputs are a few whole vectors, so a row is a handful of
    // vector multiply-adds with no per-call slicing; the order of the sums is that of the general path.

    private void ForwardInVectors(int first, int end)
    {
        int inputs = _inputs, vectors = _outputs / Vector<float>.Count;
        var weights = MemoryMarshal.Cast<float, Vector<float>>(_transposed.AsSpan(0, inputs * _outputs));
        var bias = _hasBias ? MemoryMarshal.Cast<float, Vector<float>>(_bias.Span) : default;
        var x = _a.Span;
        var y = _result.Span;
        for (int m = first; m < end; m++)
        {
            var output = MemoryMarshal.Cast<float, Vector<float>>(y.Slice(m * _outputs, _outputs));
            RowTimesVectors(x.Slice(m * inputs, inputs), weights, vectors, bias, output, accumulate: false);
        }
    }

    private void BackwardInputInVectors(int first, int end)
    {
        int outputs = _outputs, vectors = _inputs / Vector<float>.Count;
        var weights = MemoryMarshal.Cast<float, Vector<float>>(_b.Span.Slice(0, outputs * _inputs));
        var dy = _a.Span;
        var dx = _result.Span;
        for (int m = first; m < end; m++)
        {
            var gradient = MemoryMarshal.Cast<float, Vector<float>>(dx.Slice(m * _inputs, _inputs));
            RowTimesVectors(dy.Slice(m * outputs, outputs), weights, vectors, default, gradient, _accumulate);
        }
    }

    /// <summary>
    /// result (+)= Σ_k row[k] · matrix[k, :] + start, the matrix's rows <paramref name="vectors"/> vectors wide; two result
    /// vectors at a time stay in registers across the sum.
    /// </summary>
    private static void RowTimesVectors(ReadOnlySpan<float> row, ReadOnlySpan<Vector<float>> matrix, int vectors, ReadOnlySpan<Vector<float>> start,
        Span<Vector<float>> result, bool accumulate)
    {
        for (int v = 0; v < vectors; v += 2)
        {
            bool pair = v + 1 < vectors;
            var first = accumulate ? result[v] : start.IsEmpty ? Vector<float>.Zero : start[v];
            var second = !pair ? Vector<float>.Zero : accumulate ? result[v + 1] : start.IsEmpty ? Vector<float>.Zero : start[v + 1];
            for (int k = 0; k < row.Length; k++)
            {
                var scale = new Vector<float>(row[k]);
                int at = k * vectors + v;
                first += scale * matrix[at];
                if (pair) second += scale * matrix[at + 1];
            }
            result[v] = first;
            if (pair) result[v + 1] = second;
        }
    }

    /// <summary>
    /// The chunk's rows of x are widened to double once; then each output's weight row is summed over the rows in
    /// registers (rows in order, as the general path), skipping rows whose gradient is zero (a ReLU's).
    /// </summary>
    private void WeightChunkInVectors(int chunk, int first, int end)
    {
        int inputs = _inputs, outputs = _outputs, vectors = inputs / Vector<double>.Count, rows = end - first;
        var partial = _partials.AsSpan(chunk * _stride, _stride);
        var sums = MemoryMarshal.Cast<double, Vector<double>>(partial[..(outputs * inputs)]);
        var biasSums = partial[(outputs * inputs)..];
        int slot = scratch.Acquire();
        try
        {
            var widened = scratch.Doubles(slot, rows * inputs).AsSpan(0, rows * inputs);
            var x = _a.Span.Slice(first * inputs, rows * inputs);
            for (int k = 0; k < widened.Length; k++) widened[k] = x[k];
            var xv = MemoryMarshal.Cast<double, Vector<double>>(widened);
            var dy = _b.Span.Slice(first * outputs, rows * outputs);
            Span<Vector<double>> accumulators = stackalloc Vector<double>[vectors];
            for (int o = 0; o < outputs; o++)
            {
                accumulators.Clear();
                double bias = 0;
                for (int m = 0; m < rows; m++)
                {
                    double g = dy[m * outputs + o];
                    bias += g;
                    if (g == 0) continue;
                    var gv = new Vector<double>(g);
                    var row = xv.Slice(m * vectors, vectors);
                    for (int v = 0; v < vectors; v++) accumulators[v] += gv * row[v];
                }
                accumulators.CopyTo(sums.Slice(o * vectors, vectors));
                biasSums[o] = bias;
            }
        }
        finally
        {
            scratch.Release(slot);
        }
    }

    private void WeightChunk(int chunk, int first, int end)
    {
        var partial = _partials.AsSpan(chunk * _stride, _stride);
        partial.Clear();
        int slot = scratch.Acquire();
        try
        {
            var row = scratch.Doubles(slot, _inputs).AsSpan(0, _inputs);
            var biasSums = partial[(_outputs * _inputs)..];
            for (int m = first; m < end; m++)
            {
                var x = _a.Slice(m * _inputs, _inputs);
                var dy = _b.Slice(m * _outputs, _outputs);
                for (int i = 0; i < _inputs; i++) row[i] = x[i];
                for (int o = 0; o < _outputs; o++)
                {
                    double g = dy[o];
                    biasSums[o] += g;
                    Axpy(g, row, partial.Slice(o * _inputs, _inputs));
                }
            }
        }
        finally
        {
            scratch.Release(slot);
        }
    }

    private static void Axpy<T>(T a, ReadOnlySpan<T> x, Span<T> y) where T : unmanaged, INumber<T>
    {
        int i = 0, w = Vector<T>.Count;
        var va = new Vector<T>(a);
        for (; i <= x.Length - w; i += w) (new Vector<T>(y[i..]) + va * new Vector<T>(x[i..])).CopyTo(y[i..]);
        for (; i < x.Length; i++) y[i] += a * x[i];
    }
}
