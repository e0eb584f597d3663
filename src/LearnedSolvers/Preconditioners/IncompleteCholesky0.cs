using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// IC(0): A ≈ L Lᵀ with L lower triangular on the pattern of A's lower triangle (Saad, Iterative Methods for
/// Sparse Linear Systems, §10.3.2). M = L Lᵀ is SPD whenever the factorization exists, so it serves CG.
/// The factorization of an SPD matrix can still meet a non-positive pivot (it always exists for M-matrices and
/// H-matrices); a diagonal shift α factors A + α·diag(A) instead (Manteuffel 1980, "An incomplete factorization
/// technique for positive definite linear systems") and usually cures it; <see cref="WithGrowingShift"/> searches for
/// one. The factorization runs on the host; the factor (Lᵀ kept in its own row-ordered arrays so both solves read
/// memory forwards) is applied on any device by <see cref="TriangularFactorPreconditioner"/>.
/// </summary>
public sealed class IncompleteCholesky0 : IRefreshablePreconditioner, IDisposable
{
    /// <summary>The first nonzero shift <see cref="WithGrowingShift"/> tries after α = 0 fails; each further try doubles it.</summary>
    public const double FirstGrowingShift = GrowingDiagonalShift.First;

    private readonly CsrMatrix _pattern;
    private readonly CholeskyFactorPattern _factor;
    private readonly double[] _inverseDiagonal;
    private readonly int[] _positionInRow;
    private readonly TriangularFactorPreconditioner _application;

    /// <param name="a">A symmetric matrix; only its lower triangle is read.</param>
    /// <param name="diagonalShift">α ≥ 0: factor A + α·diag(A).</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <param name="precision">The precision the factor is held and applied in (it is always computed in double).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is missing, or a pivot is not positive (A is not SPD, or IC(0) breaks down: try a shift).</exception>
    public IncompleteCholesky0(CsrMatrix a, double diagonalShift = 0, Device? device = null, Precision precision = Precision.Double)
        : this(a, GrowingDiagonalShift.Check(diagonalShift, nameof(diagonalShift)), diagonalShift, device, precision)
    {
    }

    /// <summary>Factors with the shifts α₀, then 10⁻³, 2·10⁻³, … (or 2α₀, 4α₀, … from α₀ &gt; 0) up to <paramref name="maxShift"/>, keeping the first that succeeds.</summary>
    private IncompleteCholesky0(CsrMatrix a, double initialShift, double maxShift, Device? device, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"IC(0) needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException("IC(0) needs a symmetric matrix; use ILU(0) for a nonsymmetric one.", nameof(a));
        _pattern = a;
        Rows = Columns = a.Rows;
        int n = a.Rows;
        _factor = new CholeskyFactorPattern(a, nameof(IncompleteCholesky0));
        Factor = _factor.Factor;
        _inverseDiagonal = new double[n];
        _positionInRow = new int[n];
        DiagonalShift = GrowingDiagonalShift.Search(initialShift, maxShift, shift => Factorize(a, _factor, shift, _inverseDiagonal, _positionInRow));
        _application = new TriangularFactorPreconditioner(Factor, isSymmetric: true, device, precision);
    }

    /// <summary>
    /// IC(0) with the smallest shift of the sequence 0 (or <paramref name="initialShift"/>), 10⁻³, 2·10⁻³, 4·10⁻³, …
    /// for which every pivot is positive (Manteuffel's shifted incomplete Cholesky): for SPD matrices whose plain IC(0)
    /// breaks down. <see cref="DiagonalShift"/> reports the shift chosen; <see cref="UpdateValues"/> keeps it.
    /// </summary>
    /// <param name="a">A symmetric matrix; only its lower triangle is read.</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <param name="initialShift">The first shift tried (≥ 0); a failure doubles it (0 is followed by 10⁻³).</param>
    /// <param name="maxShift">No larger shift is tried: the factorization fails when the last shift of the sequence up to this one fails.</param>
    /// <param name="precision">The precision the factor is held and applied in.</param>
    /// <exception cref="ZeroPivotException">Every shift up to <paramref name="maxShift"/> met a non-positive pivot (reports the last).</exception>
    public static IncompleteCholesky0 WithGrowingShift(CsrMatrix a, Device? device = null, double initialShift = 0, double maxShift = 1,
        Precision precision = Precision.Double)
    {
        GrowingDiagonalShift.CheckRange(initialShift, maxShift, nameof(initialShift), nameof(maxShift));
        return new IncompleteCholesky0(a, initialShift, maxShift, device, precision);
    }

    /// <summary>The precision the factor is held and applied in.</summary>
    public Precision Precision => _application.Precision;

    /// <summary>α: the factor is that of A + α·diag(A).</summary>
    public double DiagonalShift { get; }

    /// <summary>L and Lᵀ: M = L Lᵀ.</summary>
    public TriangularFactor Factor { get; }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device => _application.Device;
    public bool IsLinear => true;
    public bool IsSymmetric => true;

    /// <summary>
    /// Refactors for new values on the same pattern (a sequence of related systems) with the same shift, without new
    /// allocations: the level schedules and device memory are kept.
    /// </summary>
    /// <exception cref="ZeroPivotException">A pivot is not positive.</exception>
    public void UpdateValues(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_pattern)) throw new ArgumentException("The matrix does not have the pattern this factorization was built for.", nameof(a));
        Factorize(a);
        _application.UpdateValues();
    }

    private void Factorize(CsrMatrix a) => Factorize(a, _factor, DiagonalShift, _inverseDiagonal, _positionInRow);

    /// <summary>
    /// IC(0) of <paramref name="a"/> into <paramref name="factor"/>'s values (L and Lᵀ), with the smallest shift of the
    /// growing sequence that succeeds, without a device copy: for a factor that is only a starting point (a learned
    /// correction's base). Returns the shift used.
    /// </summary>
    /// <exception cref="ZeroPivotException">Every shift up to <paramref name="maxShift"/> met a non-positive pivot.</exception>
    internal static double FactorInto(CsrMatrix a, CholeskyFactorPattern factor, double maxShift = 1)
    {
        var inverseDiagonal = new double[a.Rows];
        var positionInRow = new int[a.Rows];
        return GrowingDiagonalShift.Search(0, maxShift, shift => Factorize(a, factor, shift, inverseDiagonal, positionInRow));
    }

    private static void Factorize(CsrMatrix a, CholeskyFactorPattern factor, double diagonalShift, double[] inverseDiagonal, int[] positionInRow)
    {
        var lower = factor.Factor.Lower.Values;
        var lowerRows = factor.Factor.Lower.RowPointers;
        var lowerColumns = factor.Factor.Lower.ColumnIndices;
        var source = factor.SourceEntry;
        for (int k = 0; k < lower.Length; k++) lower[k] = a.Values[source[k]];
        Array.Fill(positionInRow, -1);
        for (int i = 0; i < a.Rows; i++)
        {
            int start = lowerRows[i], diagonal = lowerRows[i + 1] - 1;
            for (int k = start; k < diagonal; k++) positionInRow[lowerColumns[k]] = k;
            double pivot = lower[diagonal] * (1 + diagonalShift);
            for (int kk = start; kk < diagonal; kk++)
            {
                // l_ik = (a_ik − Σ_{j<k} l_ij l_kj) / l_kk; the l_ij for j < k are final already.
                int k = lowerColumns[kk];
                double s = lower[kk];
                for (int jj = lowerRows[k]; jj < lowerRows[k + 1] - 1; jj++)
                {
                    int at = positionInRow[lowerColumns[jj]];
                    if (at >= 0) s -= lower[at] * lower[jj];
                }
                s *= inverseDiagonal[k];
                lower[kk] = s;
                pivot -= s * s;
            }
            if (!(pivot > 0) || double.IsInfinity(pivot)) throw new ZeroPivotException(nameof(IncompleteCholesky0), i, pivot);
            double lii = Math.Sqrt(pivot);
            lower[diagonal] = lii;
            inverseDiagonal[i] = 1 / lii;
            for (int k = start; k < diagonal; k++) positionInRow[lowerColumns[k]] = -1;
        }
        factor.MirrorLower();
    }

    /// <summary>z = (L Lᵀ)⁻¹ r on <see cref="Device"/>.</summary>
    public void Apply(DeviceVector x, DeviceVector y) => _application.Apply(x, y);

    /// <summary>Frees the device copy of the factor.</summary>
    public void Dispose() => _application.Dispose();
}
