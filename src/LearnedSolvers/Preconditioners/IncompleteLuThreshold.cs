using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// ILUT(τ, p), the dual threshold incomplete LU factorization (Saad, Iterative Methods for Sparse Linear Systems,
/// 2nd ed., Algorithm 10.6; Saad, "ILUT: a dual threshold incomplete LU factorization", Numer. Linear Algebra Appl. 1
/// (1994) 387–402): A ≈ L U with L unit lower and U upper triangular, whose patterns follow the values instead of A's
/// pattern. Row i is eliminated in IKJ order in a sparse working row; entries below τ·‖a_i‖₂ are dropped, and each
/// row of L and of U keeps its p largest entries (U's diagonal besides). A zero or tiny pivot (at most
/// <see cref="TinyPivotRatio"/>·‖a_i‖₂) is replaced by ±(10⁻⁴ + τ)·‖a_i‖₂, as SPARSKIT's ilut does, rather than
/// stopping the factorization; <see cref="ReplacedPivots"/> counts them. The factorization runs on the host; the factor
/// is applied on any device by <see cref="TriangularFactorPreconditioner"/>. For matrices with zero or small diagonal
/// entries, <see cref="IncompleteLuThresholdPivoting"/> exchanges columns instead.
/// <para>
/// Not refreshable: new values change the factor's pattern, so a new matrix needs a new factorization.
/// </para>
/// </summary>
public sealed class IncompleteLuThreshold : IPreconditioner, IDisposable
{
    /// <summary>
    /// τ = 10⁻³, the middle of the usual range (PETSc gives no default and suggests 10⁻¹⁰ to 0.1): on the shared
    /// nonsymmetric matrices it keeps the factors near twice A's size. Dropping is relative to the row's norm, so a badly scaled matrix (entries spread over many
    /// orders of magnitude within a row, as in west0479 and nnc1374) needs a much smaller τ (10⁻⁵ there) or scaling first.
    /// </summary>
    public const double DefaultDropTolerance = 1e-3;

    /// <summary>
    /// p = 10 per row of L and of U (rheolef's ILUT uses 10 times A's average row length; a fixed p keeps memory
    /// predictable): for matrices with 4 to 7 entries per row (the shared
    /// test matrices, 2D stencils) it bounds the factors at about 2 to 5 times A's entries; with τ = 10⁻³ they stayed
    /// below 2.1 times on the shared matrices.
    /// </summary>
    public const int DefaultFill = 10;

    /// <summary>A pivot of magnitude at most this times its row's 2-norm (√ε) is treated as zero and replaced.</summary>
    public const double TinyPivotRatio = ThresholdLuFactorization.TinyPivotRatio;

    private readonly TriangularFactorPreconditioner _application;

    /// <param name="a">A square matrix with no zero row.</param>
    /// <param name="dropTolerance">τ ≥ 0: an entry of row i below τ·‖a_i‖₂ is dropped (0: only exact zeros).</param>
    /// <param name="fill">p ≥ 0: the most entries each row of L and of U keeps beyond the diagonal.</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <exception cref="ArgumentOutOfRangeException">τ or p is out of range.</exception>
    /// <exception cref="ArgumentException">A is not square, has a zero row, or holds a value that is not finite.</exception>
    /// <param name="precision">The precision the factor is held and applied in (it is always computed in double).</param>
    /// <exception cref="ZeroPivotException">A pivot overflowed.</exception>
    public IncompleteLuThreshold(CsrMatrix a, double dropTolerance = DefaultDropTolerance, int fill = DefaultFill, Device? device = null,
        Precision precision = Precision.Double)
    {
        ArgumentNullException.ThrowIfNull(a);
        DropTolerance = ThresholdDropping.CheckDropTolerance(dropTolerance, nameof(dropTolerance));
        Fill = ThresholdDropping.CheckFill(fill, nameof(fill));
        var result = ThresholdLuFactorization.Compute(a, dropTolerance, fill, pivotTolerance: 0, "ILUT");
        Factor = result.Factor;
        ReplacedPivots = result.ReplacedPivots;
        FillRatio = (double)(Factor.Lower.NonZeros + Factor.Upper.NonZeros) / Math.Max(1, a.NonZeros);
        Rows = Columns = a.Rows;
        _application = new TriangularFactorPreconditioner(Factor, isSymmetric: false, device, precision);
    }

    /// <summary>L (unit diagonal, not stored) and U: M = L U.</summary>
    public TriangularFactor Factor { get; }

    /// <summary>τ: the drop tolerance relative to each row's 2-norm.</summary>
    public double DropTolerance { get; }

    /// <summary>p: the most entries each row of L and of U keeps beyond the diagonal.</summary>
    public int Fill { get; }

    /// <summary>How many pivots were zero or tiny and replaced by ±(10⁻⁴ + τ)·‖a_i‖₂.</summary>
    public int ReplacedPivots { get; }

    /// <summary>nnz(L + U) / nnz(A): the entries stored in both factors (U's diagonal included) per entry of A.</summary>
    public double FillRatio { get; }

    /// <inheritdoc/>
    public int Rows { get; }

    /// <inheritdoc/>
    public int Columns { get; }

    /// <inheritdoc/>
    public Device Device => _application.Device;

    /// <inheritdoc/>
    public bool IsLinear => true;

    /// <inheritdoc/>
    public bool IsSymmetric => false;

    /// <summary>y = (L U)⁻¹ x on <see cref="Device"/>; y may be x.</summary>
    public void Apply(DeviceVector x, DeviceVector y) => _application.Apply(x, y);

    /// <summary>Frees the device copy of the factor.</summary>
    public void Dispose() => _application.Dispose();
}
