using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// ILU(0): A ≈ L U with L unit lower and U upper triangular, both restricted to A's sparsity pattern
/// (Saad, Iterative Methods for Sparse Linear Systems, Algorithm 10.4, IKJ order). The factorization runs on the
/// host in one array on A's pattern; L (unit diagonal, not stored) and U are then copied into a
/// <see cref="TriangularFactor"/> that <see cref="TriangularFactorPreconditioner"/> applies on any device.
/// </summary>
public sealed class IncompleteLu0 : IRefreshablePreconditioner, IDisposable
{
    private readonly CsrMatrix _pattern;
    private readonly int[] _diagonal;
    private readonly double[] _factors;
    private readonly double[] _inverseDiagonal;
    private readonly int[] _positionInRow;
    private readonly int[] _lowerSource, _upperSource;   // factor entry → its entry in A's pattern
    private readonly TriangularFactorPreconditioner _application;

    /// <param name="a">A square matrix with every diagonal entry stored.</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <param name="precision">The precision the factor is held and applied in (it is always computed in double).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is missing, or a pivot became zero or non-finite.</exception>
    public IncompleteLu0(CsrMatrix a, Device? device = null, Precision precision = Precision.Double)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"ILU(0) needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        Rows = Columns = a.Rows;
        _pattern = a;
        _diagonal = TriangularFactor.DiagonalPositions(a, nameof(IncompleteLu0));
        _factors = new double[a.NonZeros];
        _inverseDiagonal = new double[a.Rows];
        _positionInRow = new int[a.Rows];
        Factor = TriangularFactor.SplitPattern(a, _diagonal, unitLower: true, out _lowerSource, out _upperSource);
        Factorize(a);
        _application = new TriangularFactorPreconditioner(Factor, isSymmetric: false, device, precision);
    }

    /// <summary>The precision the factor is held and applied in.</summary>
    public Precision Precision => _application.Precision;

    /// <summary>L (unit diagonal) and U: M = L U.</summary>
    public TriangularFactor Factor { get; }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device => _application.Device;
    public bool IsLinear => true;
    public bool IsSymmetric => false;

    /// <summary>
    /// Refactors for new values on the same pattern (a sequence of related systems) without new allocations: the level
    /// schedules and device memory are kept.
    /// </summary>
    /// <exception cref="ZeroPivotException">A pivot became zero or non-finite.</exception>
    public void UpdateValues(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_pattern))
            throw new ArgumentException("The matrix does not have the pattern this factorization was built for.", nameof(a));
        Factorize(a);
        _application.UpdateValues();
    }

    private void Factorize(CsrMatrix a)
    {
        int[] rowPointers = a.RowPointers, columns = a.ColumnIndices;
        Array.Copy(a.Values, _factors, a.NonZeros);
        Array.Fill(_positionInRow, -1);
        for (int i = 0; i < Rows; i++)
        {
            int start = rowPointers[i], end = rowPointers[i + 1];
            for (int k = start; k < end; k++) _positionInRow[columns[k]] = k;
            for (int kk = start; kk < _diagonal[i]; kk++)
            {
                int k = columns[kk];
                double multiplier = _factors[kk] * _inverseDiagonal[k];
                _factors[kk] = multiplier;
                for (int jj = _diagonal[k] + 1; jj < rowPointers[k + 1]; jj++)
                {
                    int at = _positionInRow[columns[jj]];
                    if (at >= 0) _factors[at] -= multiplier * _factors[jj];
                }
            }
            double pivot = _factors[_diagonal[i]];
            if (pivot == 0 || !double.IsFinite(pivot)) throw new ZeroPivotException(nameof(IncompleteLu0), i, pivot);
            _inverseDiagonal[i] = 1 / pivot;
            for (int k = start; k < end; k++) _positionInRow[columns[k]] = -1;
        }
        var lower = Factor.Lower.Values;
        for (int k = 0; k < lower.Length; k++) lower[k] = _factors[_lowerSource[k]];
        var upper = Factor.Upper.Values;
        for (int k = 0; k < upper.Length; k++) upper[k] = _factors[_upperSource[k]];
    }

    /// <summary>z = (L U)⁻¹ r on <see cref="Device"/>.</summary>
    public void Apply(DeviceVector x, DeviceVector y) => _application.Apply(x, y);

    /// <summary>Frees the device copy of the factor.</summary>
    public void Dispose() => _application.Dispose();
}
