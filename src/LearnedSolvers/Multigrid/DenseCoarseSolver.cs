using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// The coarsest level's exact solve: dense LU with partial pivoting, factored once at setup, solved on the host
/// (the coarse system has at most a few hundred rows, so moving it to the host costs microseconds).
/// </summary>
internal sealed class DenseCoarseSolver
{
    private readonly int _n;
    private readonly double[] _lu;
    private readonly int[] _pivot;
    private readonly double[] _work;

    /// <exception cref="ZeroPivotException">The coarse matrix is singular to working precision.</exception>
    public DenseCoarseSolver(CsrMatrix a)
    {
        int n = _n = a.Rows;
        _lu = new double[n * n];
        _pivot = new int[n];
        _work = new double[n];
        double scale = 0;
        for (int i = 0; i < n; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                _lu[i * n + a.ColumnIndices[k]] = a.Values[k];
                scale = Math.Max(scale, Math.Abs(a.Values[k]));
            }
        for (int j = 0; j < n; j++)
        {
            int p = j;
            for (int i = j + 1; i < n; i++)
                if (Math.Abs(_lu[i * n + j]) > Math.Abs(_lu[p * n + j])) p = i;
            _pivot[j] = p;
            if (p != j)
                for (int c = 0; c < n; c++) (_lu[j * n + c], _lu[p * n + c]) = (_lu[p * n + c], _lu[j * n + c]);
            double d = _lu[j * n + j];
            if (!(Math.Abs(d) > 1e-14 * scale)) throw new ZeroPivotException("multigrid coarse solve", j, d);
            for (int i = j + 1; i < n; i++)
            {
                double m = _lu[i * n + j] /= d;
                if (m == 0) continue;
                for (int c = j + 1; c < n; c++) _lu[i * n + c] -= m * _lu[j * n + c];
            }
        }
    }

    /// <summary>x = A⁻¹ b.</summary>
    public void Solve(DeviceVector b, DeviceVector x)
    {
        int n = _n;
        var y = _work;
        b.CopyTo(y);
        for (int j = 0; j < n; j++)
        {
            int p = _pivot[j];
            if (p != j) (y[j], y[p]) = (y[p], y[j]);
        }
        for (int i = 0; i < n; i++)
        {
            double s = y[i];
            for (int c = 0; c < i; c++) s -= _lu[i * n + c] * y[c];
            y[i] = s;
        }
        for (int i = n - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int c = i + 1; c < n; c++) s -= _lu[i * n + c] * y[c];
            y[i] = s / _lu[i * n + i];
        }
        x.CopyFrom(y);
    }
}
