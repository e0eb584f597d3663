using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Gauss–Seidel ordered by colors: a greedy coloring of A's graph (natural order, smallest free color) groups rows
/// that do not couple, so each color is one Jacobi-like step that uses the newest values of the other colors. On
/// 5- and 7-point stencils the coloring is red-black. Pre-smoothing runs the colors forward, post-smoothing backward:
/// the two are adjoint, which keeps the V-cycle symmetric. CPU only (the colors are independent, so a device kernel
/// per color is the GPU path to come).
/// </summary>
public sealed class MulticolorGaussSeidel : ISmoother
{
    private readonly CsrMatrix _a;
    private readonly double[] _inverseDiagonal;
    private readonly int[] _rowsByColor, _colorStart;

    public MulticolorGaussSeidel(CsrMatrix a, double[] inverseDiagonal)
    {
        _a = a;
        _inverseDiagonal = inverseDiagonal;
        var color = new int[a.Rows];
        var used = new int[a.Rows + 1];
        Array.Fill(used, -1);
        int colors = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                if (j < i) used[color[j]] = i;
            }
            int c = 0;
            while (used[c] == i) c++;
            color[i] = c;
            colors = Math.Max(colors, c + 1);
        }
        _colorStart = new int[colors + 1];
        foreach (int c in color) _colorStart[c + 1]++;
        for (int c = 0; c < colors; c++) _colorStart[c + 1] += _colorStart[c];
        var next = _colorStart.AsSpan(0, colors).ToArray();
        _rowsByColor = new int[a.Rows];
        for (int i = 0; i < a.Rows; i++) _rowsByColor[next[color[i]]++] = i;
    }

    /// <summary>Number of colors (2 for a 5-point or 7-point stencil).</summary>
    public int Colors => _colorStart.Length - 1;

    public void Smooth(DeviceVector b, DeviceVector x, int sweeps, SmoothingStep step, bool zeroGuess)
    {
        var rhs = CpuVector.SpanOf(b, nameof(MulticolorGaussSeidel));
        var solution = CpuVector.SpanOf(x, nameof(MulticolorGaussSeidel));
        if (zeroGuess) solution.Clear();
        for (int s = 0; s < sweeps; s++)
        {
            for (int c = 0; c < Colors; c++)
                Relax(step == SmoothingStep.Pre ? c : Colors - 1 - c, rhs, solution);
        }
    }

    private void Relax(int color, ReadOnlySpan<double> b, Span<double> x)
    {
        int[] rp = _a.RowPointers, ci = _a.ColumnIndices;
        double[] v = _a.Values;
        for (int p = _colorStart[color]; p < _colorStart[color + 1]; p++)
        {
            int i = _rowsByColor[p];
            double s = b[i];
            for (int k = rp[i]; k < rp[i + 1]; k++) s -= v[k] * x[ci[k]];
            x[i] += s * _inverseDiagonal[i];
        }
    }

    public void Dispose()
    {
    }
}
