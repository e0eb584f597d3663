using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// ILU(0): A ≈ L U with L unit lower and U upper triangular, both restricted to A's sparsity pattern
/// (Saad, Iterative Methods for Sparse Linear Systems, Algorithm 10.4, IKJ order). The factors share A's
/// pattern and one value array; applying M⁻¹ is a forward and a backward sweep. CPU only; serial sweeps.
/// </summary>
public sealed class IncompleteLu0 : IRefreshablePreconditioner
{
    private readonly CsrMatrix _pattern;
    private readonly int[] _rowPointers;
    private readonly int[] _columns;
    private readonly int[] _diagonal;
    private readonly double[] _factors;
    private readonly double[] _inverseDiagonal;
    private readonly int[] _positionInRow;

    /// <exception cref="ZeroPivotException">A diagonal entry is missing, or a pivot became zero or non-finite.</exception>
    public IncompleteLu0(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"ILU(0) needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        Rows = Columns = a.Rows;
        _pattern = a;
        _rowPointers = a.RowPointers;
        _columns = a.ColumnIndices;
        _diagonal = TriangularSweeps.DiagonalPositions(a, nameof(IncompleteLu0));
        _factors = new double[a.NonZeros];
        _inverseDiagonal = new double[a.Rows];
        _positionInRow = new int[a.Rows];
        Factor(a);
    }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device => Device.Cpu;
    public bool IsLinear => true;
    public bool IsSymmetric => false;

    /// <summary>Refactors for new values on the same pattern (a sequence of related systems) without new allocations.</summary>
    /// <exception cref="ZeroPivotException">A pivot became zero or non-finite.</exception>
    public void UpdateValues(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_pattern))
            throw new ArgumentException("The matrix does not have the pattern this factorization was built for.", nameof(a));
        Factor(a);
    }

    private void Factor(CsrMatrix a)
    {
        Array.Copy(a.Values, _factors, a.NonZeros);
        Array.Fill(_positionInRow, -1);
        for (int i = 0; i < Rows; i++)
        {
            int start = _rowPointers[i], end = _rowPointers[i + 1];
            for (int k = start; k < end; k++) _positionInRow[_columns[k]] = k;
            for (int kk = start; kk < _diagonal[i]; kk++)
            {
                int k = _columns[kk];
                double multiplier = _factors[kk] * _inverseDiagonal[k];
                _factors[kk] = multiplier;
                for (int jj = _diagonal[k] + 1; jj < _rowPointers[k + 1]; jj++)
                {
                    int at = _positionInRow[_columns[jj]];
                    if (at >= 0) _factors[at] -= multiplier * _factors[jj];
                }
            }
            double pivot = _factors[_diagonal[i]];
            if (pivot == 0 || !double.IsFinite(pivot)) throw new ZeroPivotException(nameof(IncompleteLu0), i, pivot);
            _inverseDiagonal[i] = 1 / pivot;
            for (int k = start; k < end; k++) _positionInRow[_columns[k]] = -1;
        }
    }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        var r = CpuVector.SpanOf(x, nameof(IncompleteLu0));
        var z = CpuVector.SpanOf(y, nameof(IncompleteLu0));
        TriangularSweeps.Forward(_rowPointers, _columns, _factors, _diagonal, null, 1, r, z);
        TriangularSweeps.Backward(_rowPointers, _columns, _factors, _diagonal, _inverseDiagonal, 1, z, z);
    }
}
