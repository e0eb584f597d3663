using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// ILUTP(τ, p, t), ILUT with column pivoting (Saad, Iterative Methods for Sparse Linear Systems, 2nd ed., §10.4.4,
/// Algorithm 10.7; SPARSKIT's ilutp): A Q ≈ L U with a column permutation Q chosen as the rows are eliminated. After row
/// i is eliminated and dropped as in <see cref="IncompleteLuThreshold"/>, its diagonal is exchanged for its largest U
/// entry u_ij when t·|u_ij| &gt; |u_ii| (SPARSKIT's and MATLAB's convention: t = 0 never exchanges, t = 1 always takes
/// the row's largest entry), so a zero or small diagonal (west0479, circuit matrices) no longer stops the
/// factorization. A pivot still zero or tiny after that (a row whose U part was all dropped) is replaced as in ILUT.
/// <para>
/// M⁻¹ r = Q U⁻¹ L⁻¹ r on any device: the two level-scheduled triangular solves of <see cref="TriangularFactorPreconditioner"/>
/// (L and U hold their columns in the permuted numbering, so the solves are the standard ones), then Q as an SpMV with
/// a one-entry-per-row matrix where the vectors live. A warm <see cref="Apply"/> allocates nothing; it keeps U⁻¹ L⁻¹ r
/// in one vector of its own, so one application runs at a time. Not refreshable: new values change the factor's pattern
/// and the permutation.
/// </para>
/// </summary>
public sealed class IncompleteLuThresholdPivoting : IPreconditioner, IDisposable
{
    /// <summary>
    /// t = 0.1: the diagonal is kept unless an entry of its U row is more than 10 times larger, the upper end of the
    /// 0.01 to 0.1 that SPARSKIT's ilutp and PETSc's PCFactorSetDropTolerance recommend. Measured with GMRES(30) on the shared nonsymmetric matrices: at
    /// τ = 10⁻³, p = 10, t = 0.1 took 18 iterations on adder_dcop_05 where t = 0.5 took 147 and t = 1 (MATLAB's
    /// default) did not converge in 500; t = 0.01 left nnc1374 stagnating where 0.1 converged (τ = 10⁻⁵, p = 30).
    /// </summary>
    public const double DefaultPivotTolerance = 0.1;

    private readonly TriangularFactorPreconditioner _solves;
    private readonly DeviceCsrMatrix _permutation;
    private readonly DeviceVector _solved;

    /// <param name="a">A square matrix with no zero row.</param>
    /// <param name="dropTolerance">τ ≥ 0: an entry of row i below τ·‖a_i‖₂ is dropped (0: only exact zeros).</param>
    /// <param name="fill">p ≥ 0: the most entries each row of L and of U keeps beyond the diagonal.</param>
    /// <param name="pivotTolerance">t in [0, 1]: exchange the diagonal for the largest U entry u_ij when t·|u_ij| &gt; |u_ii|.</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <exception cref="ArgumentOutOfRangeException">τ, p or t is out of range.</exception>
    /// <exception cref="ArgumentException">A is not square, has a zero row, or holds a value that is not finite.</exception>
    /// <param name="precision">The precision the factor is held and applied in (it is always computed in double).</param>
    /// <exception cref="ZeroPivotException">A pivot overflowed.</exception>
    public IncompleteLuThresholdPivoting(CsrMatrix a, double dropTolerance = IncompleteLuThreshold.DefaultDropTolerance,
        int fill = IncompleteLuThreshold.DefaultFill, double pivotTolerance = DefaultPivotTolerance, Device? device = null,
        Precision precision = Precision.Double)
    {
        ArgumentNullException.ThrowIfNull(a);
        DropTolerance = ThresholdDropping.CheckDropTolerance(dropTolerance, nameof(dropTolerance));
        Fill = ThresholdDropping.CheckFill(fill, nameof(fill));
        PivotTolerance = ThresholdDropping.CheckPivotTolerance(pivotTolerance, nameof(pivotTolerance));
        var result = ThresholdLuFactorization.Compute(a, dropTolerance, fill, pivotTolerance, "ILUTP");
        Factor = result.Factor;
        ColumnOrder = result.ColumnOrder;
        ReplacedPivots = result.ReplacedPivots;
        ColumnExchanges = result.ColumnExchanges;
        FillRatio = (double)(Factor.Lower.NonZeros + Factor.Upper.NonZeros) / Math.Max(1, a.NonZeros);
        Rows = Columns = a.Rows;
        Permutation = PermutationMatrix(result.ColumnOrder);

        _solves = new TriangularFactorPreconditioner(Factor, isSymmetric: false, device, precision);
        var uploaded = new List<IDisposable>(3) { _solves };
        try
        {
            _permutation = Device.Upload(Permutation);
            uploaded.Add(_permutation);
            _solved = Device.Allocate(Rows);
        }
        catch
        {
            foreach (var d in uploaded) d.Dispose();
            throw;
        }
    }

    /// <summary>L (unit diagonal, not stored) and U of A Q, with columns in the permuted numbering.</summary>
    public TriangularFactor Factor { get; }

    /// <summary>Column k of the factors is column ColumnOrder[k] of A: Q e_k = e_ColumnOrder[k].</summary>
    public IReadOnlyList<int> ColumnOrder { get; }

    /// <summary>Q as a matrix: row ColumnOrder[k] holds a single 1 in column k, so (Q z)[ColumnOrder[k]] = z[k].</summary>
    public CsrMatrix Permutation { get; }

    /// <summary>τ: the drop tolerance relative to each row's 2-norm.</summary>
    public double DropTolerance { get; }

    /// <summary>p: the most entries each row of L and of U keeps beyond the diagonal.</summary>
    public int Fill { get; }

    /// <summary>t: the diagonal is exchanged for the largest U entry u_ij when t·|u_ij| &gt; |u_ii|.</summary>
    public double PivotTolerance { get; }

    /// <summary>How many rows exchanged their diagonal for a larger entry.</summary>
    public int ColumnExchanges { get; }

    /// <summary>How many pivots were still zero or tiny after pivoting and were replaced by ±(10⁻⁴ + τ)·‖a_i‖₂.</summary>
    public int ReplacedPivots { get; }

    /// <summary>nnz(L + U) / nnz(A): the entries stored in both factors (U's diagonal included) per entry of A.</summary>
    public double FillRatio { get; }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public Device Device => _solves.Device;

    /// <inheritdoc/>
    public bool IsLinear => true;

    /// <inheritdoc/>
    public bool IsSymmetric => false;

    /// <summary>y = Q U⁻¹ L⁻¹ x on <see cref="Device"/>; y may be x.</summary>
    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        _solves.Apply(x, _solved);
        _permutation.Apply(_solved, y);
    }

    /// <summary>Frees the device copies of the factor and the permutation, and the intermediate vector.</summary>
    public void Dispose()
    {
        _solves.Dispose();
        _permutation.Dispose();
        _solved.Dispose();
    }

    private static CsrMatrix PermutationMatrix(int[] columnOrder)
    {
        int n = columnOrder.Length;
        var rowPointers = new int[n + 1];
        var columns = new int[n];
        for (int k = 0; k < n; k++) columns[columnOrder[k]] = k;
        for (int i = 0; i < n; i++) rowPointers[i + 1] = i + 1;
        var ones = new double[n];
        Array.Fill(ones, 1.0);
        return CsrMatrix.Trusted(n, n, rowPointers, columns, ones);
    }
}
