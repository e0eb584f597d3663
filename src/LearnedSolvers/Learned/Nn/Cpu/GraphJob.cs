using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// The sparse and graph kernels: a float CSR matrix applied to a batch of vectors, row gathers, and the deterministic
/// segment sum. Rows are independent, each summed in double in its stored order. Indices are checked as they are read;
/// the first bad one found is reported after the run as an <see cref="ArgumentException"/>.
/// </summary>
internal sealed class GraphJob(CpuWorkerTeam team, ScratchSlots scratch) : CpuChunkJob
{
    private enum Operation { SparseMultiply, Gather, SegmentSum }

    private Operation _operation;
    private CpuMemory<int> _pointers, _indices;
    private CpuMemory<float> _values, _x, _y;
    private int _rows, _rowsPerChunk, _columns, _features, _sourceRows, _batch;
    private bool _accumulate;
    private int _bad;
    private string _badArgument = "", _badMessage = "";

    /// <summary>y[b, i] = Σ_k A[i, k] x[b, k] for an n × n CSR matrix and a batch of B vectors.</summary>
    public void SparseMultiply(int n, int batch, CpuMemory<int> rowPointers, CpuMemory<int> columns, CpuMemory<float> values, CpuMemory<float> x, CpuMemory<float> y)
    {
        (_pointers, _indices, _values, _x, _y, _columns, _batch) = (rowPointers, columns, values, x, y, n, batch);
        long work = (long)batch * Math.Max(columns.Length, n);
        Run(Operation.SparseMultiply, n, (int)Math.Clamp(CpuDevice.ChunkSize * (long)n / Math.Max(1, work), 1, Math.Max(1, n)));
    }

    /// <summary>y[e, :] = x[index[e], :].</summary>
    public void Gather(int sourceRows, int features, CpuMemory<float> x, CpuMemory<int> index, CpuMemory<float> y)
    {
        (_x, _indices, _y, _sourceRows, _features) = (x, index, y, sourceRows, features);
        Run(Operation.Gather, index.Length, Math.Max(1, CpuDevice.ChunkSize / Math.Max(1, features)));
    }

    /// <summary>y[v, :] (+)= Σ_{k ∈ [offsets[v], offsets[v + 1])} x[order[k], :].</summary>
    public void SegmentSum(int sourceRows, int features, CpuMemory<float> x, CpuMemory<int> offsets, CpuMemory<int> order, CpuMemory<float> y, bool accumulate)
    {
        (_x, _pointers, _indices, _y, _sourceRows, _features, _accumulate) = (x, offsets, order, y, sourceRows, features, accumulate);
        int segments = offsets.Length - 1;
        long work = (long)features * Math.Max(order.Length, segments);
        Run(Operation.SegmentSum, segments, (int)Math.Clamp(CpuDevice.ChunkSize * (long)segments / Math.Max(1, work), 1, Math.Max(1, segments)));
    }

    private void Run(Operation operation, int rows, int rowsPerChunk)
    {
        (_operation, _rows, _rowsPerChunk, _bad) = (operation, rows, rowsPerChunk, 0);
        try
        {
            if (rows > 0) team.Run(this, (rows + rowsPerChunk - 1) / rowsPerChunk);
        }
        finally
        {
            _pointers = _indices = default;
            _values = _x = _y = default;
        }
        if (_bad != 0) throw new ArgumentException(_badMessage, _badArgument);
    }

    /// <summary>Records the first bad index found (formatted only on that path).</summary>
    private void Report(string argument, int at, int value, int limit, bool inclusive)
    {
        if (Interlocked.CompareExchange(ref _bad, 1, 0) != 0) return;
        _badArgument = argument;
        _badMessage = $"{argument}[{at}] = {value} is out of range: expected a value in [0, {limit}{(inclusive ? "]" : ")")}" +
            (inclusive ? ", not below the previous entry." : ".");
    }

    public override void RunChunk(int chunk)
    {
        int first = chunk * _rowsPerChunk, end = Math.Min(_rows, first + _rowsPerChunk);
        switch (_operation)
        {
            case Operation.SparseMultiply: MultiplyRows(first, end); break;
            case Operation.Gather: GatherRows(first, end); break;
            case Operation.SegmentSum: SumSegments(first, end); break;
        }
    }

    /// <summary>Checks a row's range [start, end) of a CSR-like pointer array against the <paramref name="limit"/> entries it indexes.</summary>
    private bool Range(string argument, int row, int limit, out int start, out int end)
    {
        var pointers = _pointers.Span;
        start = pointers[row];
        end = pointers[row + 1];
        if (start < 0 || start > limit) Report(argument, row, start, limit, true);
        else if (end < start || end > limit) Report(argument, row + 1, end, limit, true);
        else return true;
        return false;
    }

    private void MultiplyRows(int first, int end)
    {
        var columns = _indices.Span;
        var values = _values.Span;
        var x = _x.Span;
        var y = _y.Span;
        int n = _columns;
        for (int i = first; i < end; i++)
        {
            if (!Range("rowPointers", i, columns.Length, out int start, out int stop)) return;
            for (int b = 0; b < _batch; b++)
            {
                double sum = 0;
                int offset = b * n;
                for (int k = start; k < stop; k++)
                {
                    int j = columns[k];
                    if ((uint)j >= (uint)n)
                    {
                        Report("columns", k, j, n, false);
                        return;
                    }
                    sum += (double)values[k] * x[offset + j];
                }
                y[offset + i] = (float)sum;
            }
        }
    }

    private void GatherRows(int first, int end)
    {
        var index = _indices.Span;
        int f = _features;
        for (int e = first; e < end; e++)
        {
            int v = index[e];
            if ((uint)v >= (uint)_sourceRows)
            {
                Report("index", e, v, _sourceRows, false);
                return;
            }
            _x.Slice(v * f, f).CopyTo(_y.Slice(e * f, f));
        }
    }

    private void SumSegments(int first, int end)
    {
        var order = _indices.Span;
        int f = _features;
        int slot = scratch.Acquire();
        try
        {
            var sums = scratch.Doubles(slot, f).AsSpan(0, f);
            for (int v = first; v < end; v++)
            {
                if (!Range("offsets", v, order.Length, out int start, out int stop)) return;
                sums.Clear();
                for (int k = start; k < stop; k++)
                {
                    int e = order[k];
                    if ((uint)e >= (uint)_sourceRows)
                    {
                        Report("order", k, e, _sourceRows, false);
                        return;
                    }
                    var row = _x.Slice(e * f, f);
                    for (int j = 0; j < f; j++) sums[j] += row[j];
                }
                var y = _y.Slice(v * f, f);
                for (int j = 0; j < f; j++) y[j] = (float)((_accumulate ? y[j] : 0.0) + sums[j]);
            }
        }
        finally
        {
            scratch.Release(slot);
        }
    }
}
