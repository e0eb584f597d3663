using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// Average pooling, upsampling and their adjoints between a coarse grid [N, C, S…] and a fine grid [N, C, S·f…] (depth
/// refined too for 3-D). Pooling and the nearest upsampling's adjoint sum each fine block into its coarse cell (in
/// double); the nearest upsampling and pooling's adjoint copy each coarse cell over its block. The linear upsampling
/// reads 2^d coarse neighbours through per-axis tables of indices and weights, as PyTorch forms them in float; its
/// adjoint scatters one channel at a time into a double plane, so each channel's sums run in one fixed order.
/// </summary>
internal sealed class ResamplingJob(CpuWorkerTeam team, ScratchSlots scratch) : CpuChunkJob
{
    private enum Operation { BlockSum, Spread, Linear, LinearAdjoint }

    private Operation _operation;
    private CpuMemory<float> _source, _result;
    private bool _accumulate;
    private float _scale;
    private int _factor, _channels, _depth, _height, _width, _rowsPerChunk, _rows;
    private bool _threeD;
    private int[] _index = [];
    private float[] _weight = [];

    /// <summary>y = the mean of each block (pooling: scale 1/f^d) or its sum (the nearest upsampling's adjoint: scale 1).</summary>
    public void BlockSum(Shape coarse, int factor, CpuMemory<float> fine, CpuMemory<float> result, float scale, bool accumulate) =>
        Run(Operation.BlockSum, coarse, factor, fine, result, scale, accumulate, coarse.Length);

    /// <summary>Each fine cell (+)= scale times its coarse cell (nearest upsampling: 1; pooling's adjoint: 1/f^d).</summary>
    public void Spread(Shape coarse, int factor, CpuMemory<float> source, CpuMemory<float> fine, float scale, bool accumulate) =>
        Run(Operation.Spread, coarse, factor, source, fine, scale, accumulate, coarse.Length * Blocks(coarse, factor));

    /// <summary>Linear (bi-, tri-) interpolation onto the fine grid, align_corners=False.</summary>
    public void Linear(Shape coarse, int factor, CpuMemory<float> source, CpuMemory<float> fine)
    {
        BuildTables(coarse, factor);
        Run(Operation.Linear, coarse, factor, source, fine, 1, false, coarse.Length * Blocks(coarse, factor));
    }

    /// <summary>The transpose of <see cref="Linear"/>: fine dy to coarse dx.</summary>
    public void LinearAdjoint(Shape coarse, int factor, CpuMemory<float> fine, CpuMemory<float> result, bool accumulate)
    {
        BuildTables(coarse, factor);
        _operation = Operation.LinearAdjoint;
        Set(coarse, factor, fine, result, 1, accumulate);
        int planes = coarse[0] * coarse[1];
        try
        {
            team.Run(this, planes);
        }
        finally
        {
            _source = _result = default;
        }
    }

    private static int Blocks(Shape coarse, int factor) => coarse.Rank == 5 ? factor * factor * factor : factor * factor;

    private void Set(Shape coarse, int factor, CpuMemory<float> source, CpuMemory<float> result, float scale, bool accumulate)
    {
        _threeD = coarse.Rank == 5;
        _channels = coarse[0] * coarse[1];
        _depth = _threeD ? coarse[2] : 1;
        _height = coarse[coarse.Rank - 2];
        _width = coarse[coarse.Rank - 1];
        _factor = factor;
        _source = source;
        _result = result;
        _scale = scale;
        _accumulate = accumulate;
    }

    /// <summary>Runs over rows: coarse rows for <see cref="Operation.BlockSum"/>, fine rows otherwise, about a chunk's worth of elements each.</summary>
    private void Run(Operation operation, Shape coarse, int factor, CpuMemory<float> source, CpuMemory<float> result, float scale, bool accumulate, int elements)
    {
        _operation = operation;
        Set(coarse, factor, source, result, scale, accumulate);
        int zFactor = _threeD ? factor : 1;
        _rows = operation == Operation.BlockSum ? _channels * _depth * _height : _channels * _depth * zFactor * _height * factor;
        if (_rows == 0 || elements == 0) return;
        int rowLength = Math.Max(1, elements / _rows);
        _rowsPerChunk = Math.Max(1, CpuDevice.ChunkSize / rowLength);
        try
        {
            team.Run(this, (_rows + _rowsPerChunk - 1) / _rowsPerChunk);
        }
        finally
        {
            _source = _result = default;
        }
    }

    /// <summary>
    /// Per fine index along each axis (depth, height, width): the two coarse indices and their weights, PyTorch's
    /// source coordinate (i + ½)/f − ½ in float, clamped at 0, the upper neighbour clamped at the last cell.
    /// </summary>
    private void BuildTables(Shape coarse, int factor)
    {
        int rank = coarse.Rank;
        int depth = rank == 5 ? coarse[2] : 1, height = coarse[rank - 2], width = coarse[rank - 1];
        int depthFactor = rank == 5 ? factor : 1;
        int total = depth * depthFactor + (height + width) * factor;
        if (_index.Length < 2 * total) _index = new int[2 * total];
        if (_weight.Length < 2 * total) _weight = new float[2 * total];
        int at = 0;
        AxisTable(depth, depthFactor, ref at);
        AxisTable(height, factor, ref at);
        AxisTable(width, factor, ref at);
    }

    private void AxisTable(int size, int factor, ref int at)
    {
        float scale = (float)(1.0 / factor);
        for (int i = 0; i < size * factor; i++, at++)
        {
            float source = Math.Max(scale * (i + 0.5f) - 0.5f, 0f);
            int low = (int)source;
            float upper = source - low;
            _index[2 * at] = low;
            _index[2 * at + 1] = low < size - 1 ? low + 1 : low;
            _weight[2 * at] = 1 - upper;
            _weight[2 * at + 1] = upper;
        }
    }

    public override void RunChunk(int chunk)
    {
        if (_operation == Operation.LinearAdjoint)
        {
            LinearAdjoint(chunk);
            return;
        }
        int first = chunk * _rowsPerChunk, end = Math.Min(_rows, first + _rowsPerChunk);
        for (int row = first; row < end; row++)
        {
            switch (_operation)
            {
                case Operation.BlockSum: BlockSumRow(row); break;
                case Operation.Spread: SpreadRow(row); break;
                case Operation.Linear: LinearRow(row); break;
            }
        }
    }

    /// <summary>Coarse row (plane, z, r): each cell the scaled double sum of its block.</summary>
    private void BlockSumRow(int row)
    {
        int f = _factor, zf = _threeD ? f : 1;
        int r = row % _height, z = row / _height % _depth, plane = row / (_height * _depth);
        int fineWidth = _width * f, fineHeight = _height * f, fineDepth = _depth * zf;
        var result = _result.Slice(row * _width, _width);
        for (int c = 0; c < _width; c++)
        {
            double sum = 0;
            for (int a = 0; a < zf; a++)
                for (int b = 0; b < f; b++)
                {
                    var fine = _source.Slice(((plane * fineDepth + z * zf + a) * fineHeight + r * f + b) * fineWidth + c * f, f);
                    for (int e = 0; e < f; e++) sum += fine[e];
                }
            result[c] = (float)((_accumulate ? result[c] : 0.0) + _scale * sum);
        }
    }

    /// <summary>Fine row (plane, z, r): each cell (+)= scale · its coarse cell.</summary>
    private void SpreadRow(int row)
    {
        int f = _factor, zf = _threeD ? f : 1;
        int fineWidth = _width * f, fineHeight = _height * f, fineDepth = _depth * zf;
        int r = row % fineHeight, z = row / fineHeight % fineDepth, plane = row / (fineHeight * fineDepth);
        var coarse = _source.Slice(((plane * _depth + z / zf) * _height + r / f) * _width, _width);
        var result = _result.Slice(row * fineWidth, fineWidth);
        for (int c = 0; c < fineWidth; c++) result[c] = (_accumulate ? result[c] : 0f) + _scale * coarse[c / f];
    }

    /// <summary>Fine row (plane, z, r) of the linear interpolation: its 2 (2-D) or 4 (3-D) coarse rows are fixed for the whole row.</summary>
    private void LinearRow(int row)
    {
        int f = _factor, zf = _threeD ? f : 1;
        int fineWidth = _width * f, fineHeight = _height * f, fineDepth = _depth * zf;
        int r = row % fineHeight, z = row / fineHeight % fineDepth, plane = row / (fineHeight * fineDepth);
        int rAt = fineDepth + r, cAt = fineDepth + fineHeight;
        int planeStart = plane * _depth * _height * _width;
        int z0 = _threeD ? _index[2 * z] : 0, z1 = _threeD ? _index[2 * z + 1] : 0;
        float zw0 = _threeD ? _weight[2 * z] : 1f, zw1 = _threeD ? _weight[2 * z + 1] : 0f;
        int r0 = _index[2 * rAt], r1 = _index[2 * rAt + 1];
        float rw0 = _weight[2 * rAt], rw1 = _weight[2 * rAt + 1];
        var a00 = _source.Slice(planeStart + (z0 * _height + r0) * _width, _width);
        var a01 = _source.Slice(planeStart + (z0 * _height + r1) * _width, _width);
        var a10 = _source.Slice(planeStart + (z1 * _height + r0) * _width, _width);
        var a11 = _source.Slice(planeStart + (z1 * _height + r1) * _width, _width);
        var result = _result.Slice(row * fineWidth, fineWidth);
        for (int c = 0; c < fineWidth; c++)
        {
            int c0 = _index[2 * (cAt + c)], c1 = _index[2 * (cAt + c) + 1];
            float w0 = _weight[2 * (cAt + c)], w1 = _weight[2 * (cAt + c) + 1];
            float near = rw0 * (w0 * a00[c0] + w1 * a00[c1]) + rw1 * (w0 * a01[c0] + w1 * a01[c1]);
            if (!_threeD)
            {
                result[c] = near;
                continue;
            }
            float far = rw0 * (w0 * a10[c0] + w1 * a10[c1]) + rw1 * (w0 * a11[c0] + w1 * a11[c1]);
            result[c] = zw0 * near + zw1 * far;
        }
    }

    /// <summary>One channel's adjoint: the fine gradient scattered in a fixed order into a double plane, then stored.</summary>
    private void LinearAdjoint(int plane)
    {
        int f = _factor, zf = _threeD ? f : 1;
        int fineWidth = _width * f, fineHeight = _height * f, fineDepth = _depth * zf;
        int coarseVolume = _depth * _height * _width;
        int slot = scratch.Acquire();
        try
        {
            var sums = scratch.Doubles(slot, coarseVolume).AsSpan(0, coarseVolume);
            sums.Clear();
            int zTaps = _threeD ? 2 : 1, cAt = fineDepth + fineHeight;
            var fine = _source.Slice(plane * fineDepth * fineHeight * fineWidth, fineDepth * fineHeight * fineWidth);
            for (int z = 0; z < fineDepth; z++)
                for (int a = 0; a < zTaps; a++)
                {
                    int zi = _threeD ? _index[2 * z + a] : 0;
                    double zw = _threeD ? _weight[2 * z + a] : 1.0;
                    for (int r = 0; r < fineHeight; r++)
                        for (int b = 0; b < 2; b++)
                        {
                            int rAt = fineDepth + r;
                            double rw = zw * _weight[2 * rAt + b];
                            var target = sums.Slice((zi * _height + _index[2 * rAt + b]) * _width, _width);
                            var dy = fine.Slice((z * fineHeight + r) * fineWidth, fineWidth);
                            for (int c = 0; c < fineWidth; c++)
                            {
                                double g = rw * dy[c];
                                target[_index[2 * (cAt + c)]] += g * _weight[2 * (cAt + c)];
                                target[_index[2 * (cAt + c) + 1]] += g * _weight[2 * (cAt + c) + 1];
                            }
                        }
                }
            var result = _result.Slice(plane * coarseVolume, coarseVolume);
            for (int k = 0; k < coarseVolume; k++) result[k] = (float)((_accumulate ? result[k] : 0.0) + sums[k]);
        }
        finally
        {
            scratch.Release(slot);
        }
    }
}
