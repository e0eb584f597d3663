using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// IC(0): A ≈ L Lᵀ with L lower triangular on the pattern of A's lower triangle (Saad, Iterative Methods for
/// Sparse Linear Systems, §10.3.2). M = L Lᵀ is SPD whenever the factorization exists, so it serves CG.
/// The factorization of an SPD matrix can still meet a non-positive pivot (it always exists for M-matrices and
/// H-matrices); a diagonal shift α factors A + α·diag(A) instead (Manteuffel's shifted IC) and usually cures it.
/// Lᵀ is kept in its own row-ordered arrays so both sweeps read memory forwards. CPU only; serial sweeps.
/// </summary>
public sealed class IncompleteCholesky0 : IRefreshablePreconditioner
{
    private readonly CsrMatrix _pattern;
    private readonly int[] _sourceEntry;      // lower entry → its entry in A
    private readonly int[] _lowerRows, _lowerColumns, _lowerDiagonal;
    private readonly double[] _lower;
    private readonly int[] _upperEntry;       // lower entry (i, j) → its place (j, i) in Lᵀ
    private readonly int[] _upperRows, _upperColumns, _upperDiagonal;
    private readonly double[] _upper;
    private readonly double[] _inverseDiagonal;
    private readonly int[] _positionInRow;

    /// <param name="a">A symmetric matrix; only its lower triangle is read.</param>
    /// <param name="diagonalShift">α ≥ 0: factor A + α·diag(A).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is missing, or a pivot is not positive (A is not SPD, or IC(0) breaks down: try a shift).</exception>
    public IncompleteCholesky0(CsrMatrix a, double diagonalShift = 0)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"IC(0) needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!(diagonalShift >= 0) || double.IsInfinity(diagonalShift))
            throw new ArgumentOutOfRangeException(nameof(diagonalShift), diagonalShift, "The diagonal shift must be a finite number ≥ 0.");
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException("IC(0) needs a symmetric matrix; use ILU(0) for a nonsymmetric one.", nameof(a));
        _pattern = a;
        DiagonalShift = diagonalShift;
        Rows = Columns = a.Rows;
        int n = a.Rows;

        // Pattern of the lower triangle, diagonal last in each row.
        _lowerRows = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int count = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1] && a.ColumnIndices[k] <= i; k++) count++;
            if (count == 0 || a.ColumnIndices[a.RowPointers[i] + count - 1] != i) throw new ZeroPivotException(nameof(IncompleteCholesky0), i, 0);
            _lowerRows[i + 1] = _lowerRows[i] + count;
        }
        int nnz = _lowerRows[n];
        _lowerColumns = new int[nnz];
        _sourceEntry = new int[nnz];
        _lowerDiagonal = new int[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = _lowerRows[i]; k < _lowerRows[i + 1]; k++)
            {
                _sourceEntry[k] = a.RowPointers[i] + (k - _lowerRows[i]);
                _lowerColumns[k] = a.ColumnIndices[_sourceEntry[k]];
            }
            _lowerDiagonal[i] = _lowerRows[i + 1] - 1;
        }

        // Pattern of Lᵀ (row j holds the entries of column j of L, diagonal first) and the map into it.
        _upperRows = new int[n + 1];
        for (int k = 0; k < nnz; k++) _upperRows[_lowerColumns[k] + 1]++;
        for (int j = 0; j < n; j++) _upperRows[j + 1] += _upperRows[j];
        var next = _upperRows.AsSpan(0, n).ToArray();
        _upperColumns = new int[nnz];
        _upperEntry = new int[nnz];
        for (int i = 0; i < n; i++)
        {
            for (int k = _lowerRows[i]; k < _lowerRows[i + 1]; k++)
            {
                int slot = next[_lowerColumns[k]]++;
                _upperColumns[slot] = i;
                _upperEntry[k] = slot;
            }
        }
        _upperDiagonal = _upperRows.AsSpan(0, n).ToArray();

        _lower = new double[nnz];
        _upper = new double[nnz];
        _inverseDiagonal = new double[n];
        _positionInRow = new int[n];
        Factor(a);
    }

    public double DiagonalShift { get; }
    public int Rows { get; }
    public int Columns { get; }
    public Device Device => Device.Cpu;
    public bool IsLinear => true;
    public bool IsSymmetric => true;

    /// <summary>Refactors for new values on the same pattern (a sequence of related systems) without new allocations.</summary>
    /// <exception cref="ZeroPivotException">A pivot is not positive.</exception>
    public void UpdateValues(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_pattern)) throw new ArgumentException("The matrix does not have the pattern this factorization was built for.", nameof(a));
        Factor(a);
    }

    private void Factor(CsrMatrix a)
    {
        for (int k = 0; k < _lower.Length; k++) _lower[k] = a.Values[_sourceEntry[k]];
        Array.Fill(_positionInRow, -1);
        for (int i = 0; i < Rows; i++)
        {
            int start = _lowerRows[i], diagonal = _lowerDiagonal[i];
            for (int k = start; k < diagonal; k++) _positionInRow[_lowerColumns[k]] = k;
            double pivot = _lower[diagonal] * (1 + DiagonalShift);
            for (int kk = start; kk < diagonal; kk++)
            {
                // l_ik = (a_ik − Σ_{j<k} l_ij l_kj) / l_kk; the l_ij for j < k are final already.
                int k = _lowerColumns[kk];
                double s = _lower[kk];
                for (int jj = _lowerRows[k]; jj < _lowerDiagonal[k]; jj++)
                {
                    int at = _positionInRow[_lowerColumns[jj]];
                    if (at >= 0) s -= _lower[at] * _lower[jj];
                }
                s *= _inverseDiagonal[k];
                _lower[kk] = s;
                pivot -= s * s;
            }
            if (!(pivot > 0) || double.IsInfinity(pivot)) throw new ZeroPivotException(nameof(IncompleteCholesky0), i, pivot);
            double lii = Math.Sqrt(pivot);
            _lower[diagonal] = lii;
            _inverseDiagonal[i] = 1 / lii;
            for (int k = start; k < diagonal; k++) _positionInRow[_lowerColumns[k]] = -1;
        }
        for (int k = 0; k < _lower.Length; k++) _upper[_upperEntry[k]] = _lower[k];
    }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        var r = CpuVector.SpanOf(x, nameof(IncompleteCholesky0));
        var z = CpuVector.SpanOf(y, nameof(IncompleteCholesky0));
        TriangularSweeps.Forward(_lowerRows, _lowerColumns, _lower, _lowerDiagonal, _inverseDiagonal, 1, r, z);
        TriangularSweeps.Backward(_upperRows, _upperColumns, _upper, _upperDiagonal, _inverseDiagonal, 1, z, z);
    }
}
