using System.Numerics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// xᵢᵀyᵢ for each row: every row is cut into pieces of <see cref="CpuDevice.ChunkSize"/> elements, each piece summed in
/// double (float products are exact in double), and the pieces of a row added in order.
/// </summary>
internal sealed class RowDotsJob(CpuWorkerTeam team) : CpuChunkJob
{
    private CpuMemory<float> _x, _y;
    private int _rowLength, _pieces;
    private double[] _partials = [];

    public void Run(CpuMemory<float> x, CpuMemory<float> y, Span<double> result)
    {
        int rows = result.Length;
        _rowLength = rows == 0 ? 0 : x.Length / rows;
        _pieces = Math.Max(1, (_rowLength + CpuDevice.ChunkSize - 1) / CpuDevice.ChunkSize);
        if (_partials.Length < rows * _pieces) _partials = new double[rows * _pieces];
        (_x, _y) = (x, y);
        try
        {
            if (rows > 0) team.Run(this, rows * _pieces);
        }
        finally
        {
            _x = _y = default;
        }
        for (int i = 0; i < rows; i++)
        {
            double s = 0;
            for (int p = 0; p < _pieces; p++) s += _partials[i * _pieces + p];
            result[i] = s;
        }
    }

    public override void RunChunk(int chunk)
    {
        int row = chunk / _pieces, start = chunk % _pieces * CpuDevice.ChunkSize;
        int length = Math.Max(0, Math.Min(CpuDevice.ChunkSize, _rowLength - start));
        int offset = row * _rowLength + start;
        _partials[chunk] = Dot(_x.Slice(offset, length), _y.Slice(offset, length));
    }

    private static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var low = Vector<double>.Zero;
        var high = Vector<double>.Zero;
        int i = 0, w = Vector<float>.Count;
        for (; i <= x.Length - w; i += w)
        {
            Vector.Widen(new Vector<float>(x[i..]), out var xl, out var xh);
            Vector.Widen(new Vector<float>(y[i..]), out var yl, out var yh);
            low += xl * yl;
            high += xh * yh;
        }
        double s = Vector.Sum(low + high);
        for (; i < x.Length; i++) s += (double)x[i] * y[i];
        return s;
    }
}
