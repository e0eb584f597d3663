using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// ICT(τ, p), the threshold incomplete Cholesky factorization of an SPD matrix: A ≈ L Lᵀ with L's pattern chosen by
/// value, the symmetric analogue of <see cref="IncompleteLuThreshold"/> (Saad, Iterative Methods for Sparse Linear
/// Systems, 2nd ed., §10.4; computed left-looking by columns of L as in Jones and Plassmann's ICT and Lin and Moré,
/// "Incomplete Cholesky factorizations with limited memory", SIAM J. Sci. Comput. 21 (1999) 24–45). Row j of Lᵀ is
/// a_j minus the earlier rows k with l_jk ≠ 0, found through per-column lists of the rows whose next entry lies in
/// that column; entries of l_jj·Lᵀ's row below τ·‖a_j‖₂ are dropped (ILUT's rule on the U = D Lᵀ row), and each row
/// keeps its p largest beyond the diagonal. M = L Lᵀ is SPD whenever the factorization exists, so it serves CG.
/// <para>
/// A non-positive pivot stops the factorization (<see cref="ZeroPivotException"/>); <see cref="WithGrowingShift"/>
/// factors A + α·diag(A) for growing α instead (Manteuffel's shift; the search IC(0) uses), and
/// <see cref="DiagonalShift"/> reports the α used. The factorization runs on the host; the factor is applied on any
/// device by <see cref="TriangularFactorPreconditioner"/>. Not refreshable: new values change the factor's pattern.
/// </para>
/// </summary>
public sealed class IncompleteCholeskyThreshold : IPreconditioner, IDisposable
{
    /// <summary>τ = 10⁻³, as for <see cref="IncompleteLuThreshold.DefaultDropTolerance"/>.</summary>
    public const double DefaultDropTolerance = IncompleteLuThreshold.DefaultDropTolerance;

    /// <summary>p = 10 entries per row of Lᵀ beyond the diagonal, as for <see cref="IncompleteLuThreshold.DefaultFill"/>.</summary>
    public const int DefaultFill = IncompleteLuThreshold.DefaultFill;

    private readonly TriangularFactorPreconditioner _application;

    /// <param name="a">A symmetric matrix with a stored diagonal in every row.</param>
    /// <param name="dropTolerance">τ ≥ 0: an entry of row j of l_jj·Lᵀ below τ·‖a_j‖₂ is dropped (0: only exact zeros).</param>
    /// <param name="fill">p ≥ 0: the most entries each row of Lᵀ (column of L) keeps beyond the diagonal.</param>
    /// <param name="diagonalShift">α ≥ 0: factor A + α·diag(A).</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <exception cref="ArgumentOutOfRangeException">τ, p or α is out of range.</exception>
    /// <exception cref="ArgumentException">A is not square or not symmetric.</exception>
    /// <param name="precision">The precision the factor is held and applied in (it is always computed in double).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is missing or a pivot is not positive (A is not SPD, or ICT breaks down: try a shift).</exception>
    public IncompleteCholeskyThreshold(CsrMatrix a, double dropTolerance = DefaultDropTolerance, int fill = DefaultFill, double diagonalShift = 0, Device? device = null,
        Precision precision = Precision.Double)
        : this(a, dropTolerance, fill, GrowingDiagonalShift.Check(diagonalShift, nameof(diagonalShift)), diagonalShift, device, precision)
    {
    }

    private IncompleteCholeskyThreshold(CsrMatrix a, double dropTolerance, int fill, double initialShift, double maxShift, Device? device, Precision precision)
    {
        ArgumentNullException.ThrowIfNull(a);
        DropTolerance = ThresholdDropping.CheckDropTolerance(dropTolerance, nameof(dropTolerance));
        Fill = ThresholdDropping.CheckFill(fill, nameof(fill));
        if (!a.IsSquare) throw new ArgumentException($"ICT needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!a.IsSymmetric(1e-12)) throw new ArgumentException("ICT needs a symmetric matrix; use ILUT for a nonsymmetric one.", nameof(a));
        var diagonal = TriangularFactor.DiagonalPositions(a, "ICT");
        TriangularMatrix? upper = null;
        DiagonalShift = GrowingDiagonalShift.Search(initialShift, maxShift, shift => upper = Factorize(a, diagonal, dropTolerance, fill, shift));
        var lowerPattern = CsrMatrix.Trusted(upper!.Size, upper.Size, upper.RowPointers, upper.ColumnIndices, upper.Values).Transpose();
        Factor = new TriangularFactor(
            new TriangularMatrix(a.Rows, isLower: true, hasUnitDiagonal: false, lowerPattern.RowPointers, lowerPattern.ColumnIndices, lowerPattern.Values),
            upper);
        FillRatio = (double)(Factor.Lower.NonZeros + Factor.Upper.NonZeros - a.Rows) / Math.Max(1, a.NonZeros);
        Rows = Columns = a.Rows;
        _application = new TriangularFactorPreconditioner(Factor, isSymmetric: true, device, precision);
    }

    /// <summary>
    /// ICT with the smallest shift of the sequence <paramref name="initialShift"/> (0 by default), then 10⁻³ (or twice
    /// it), doubling, for which every pivot is positive (Manteuffel's shifted incomplete Cholesky).
    /// <see cref="DiagonalShift"/> reports the shift chosen.
    /// </summary>
    /// <param name="a">A symmetric matrix with a stored diagonal in every row.</param>
    /// <param name="dropTolerance">τ ≥ 0: an entry of row j of l_jj·Lᵀ below τ·‖a_j‖₂ is dropped.</param>
    /// <param name="fill">p ≥ 0: the most entries each row of Lᵀ keeps beyond the diagonal.</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <param name="initialShift">The first shift tried (≥ 0).</param>
    /// <param name="maxShift">No larger shift is tried.</param>
    /// <param name="precision">The precision the factor is held and applied in.</param>
    /// <exception cref="ZeroPivotException">Every shift up to <paramref name="maxShift"/> met a non-positive pivot (reports the last).</exception>
    public static IncompleteCholeskyThreshold WithGrowingShift(CsrMatrix a, double dropTolerance = DefaultDropTolerance, int fill = DefaultFill,
        Device? device = null, double initialShift = 0, double maxShift = 1, Precision precision = Precision.Double)
    {
        GrowingDiagonalShift.CheckRange(initialShift, maxShift, nameof(initialShift), nameof(maxShift));
        return new IncompleteCholeskyThreshold(a, dropTolerance, fill, initialShift, maxShift, device, precision);
    }

    /// <summary>L and Lᵀ: M = L Lᵀ.</summary>
    public TriangularFactor Factor { get; }

    /// <summary>α: the factor is that of A + α·diag(A).</summary>
    public double DiagonalShift { get; }

    /// <summary>τ: the drop tolerance relative to each row's 2-norm.</summary>
    public double DropTolerance { get; }

    /// <summary>p: the most entries each row of Lᵀ (column of L) keeps beyond the diagonal.</summary>
    public int Fill { get; }

    /// <summary>nnz(L + Lᵀ) / nnz(A) (the diagonal counted once): 1 for a factor on A's pattern.</summary>
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
    public bool IsSymmetric => true;

    /// <summary>y = (L Lᵀ)⁻¹ x on <see cref="Device"/>; y may be x.</summary>
    public void Apply(DeviceVector x, DeviceVector y) => _application.Apply(x, y);

    /// <summary>Frees the device copy of the factor.</summary>
    public void Dispose() => _application.Dispose();

    /// <summary>Lᵀ of A + α·diag(A), row by row (diagonal first, columns sorted).</summary>
    /// <exception cref="ZeroPivotException">A pivot is not positive.</exception>
    private static TriangularMatrix Factorize(CsrMatrix a, int[] diagonal, double dropTolerance, int fill, double shift)
    {
        int n = a.Rows;
        int[] rowPointers = a.RowPointers, columns = a.ColumnIndices;
        double[] values = a.Values;
        var row = new SparseWorkingRow(n);
        var candidates = new int[n];
        // Rows k < j still to be used: columnHead[c] lists those whose next unused entry lies in column c, chained by
        // nextRow; nextEntry[k] is that entry's index in row k of Lᵀ.
        var columnHead = new int[n];
        var nextRow = new int[n];
        var nextEntry = new int[n];
        Array.Fill(columnHead, -1);

        int capacity = Math.Max(a.NonZeros, n);
        var upperRows = new int[n + 1];
        var upperColumns = new int[capacity];
        var upperValues = new double[capacity];

        for (int j = 0; j < n; j++)
        {
            double norm = 0;
            for (int k = rowPointers[j]; k < rowPointers[j + 1]; k++) norm += values[k] * values[k];
            double threshold = dropTolerance * Math.Sqrt(norm);
            for (int k = diagonal[j]; k < rowPointers[j + 1]; k++) row.Add(columns[k], values[k]);
            row[j] = values[diagonal[j]] * (1 + shift);

            // u_jj u_jc = a_jc − Σ_{k<j} u_kj u_kc over the rows k whose next unused entry is u_kj.
            for (int k = columnHead[j]; k >= 0;)
            {
                int following = nextRow[k];
                int at = nextEntry[k];
                double ukj = upperValues[at];
                row.Add(j, -ukj * ukj);
                for (int e = at + 1; e < upperRows[k + 1]; e++) row.Add(upperColumns[e], -ukj * upperValues[e]);
                if (at + 1 < upperRows[k + 1]) Link(k, at + 1);
                k = following;
            }

            double pivot = row[j];
            if (!(pivot > 0) || double.IsInfinity(pivot)) throw new ZeroPivotException("ICT", j, pivot);
            double ujj = Math.Sqrt(pivot);

            int count = 0;
            foreach (int c in row.Columns)
            {
                double w = row[c];
                if (c != j && w != 0 && Math.Abs(w) >= threshold) candidates[count++] = c;
            }
            count = row.KeepLargest(candidates.AsSpan(0, count), fill);
            var kept = candidates.AsSpan(0, count);
            kept.Sort();

            int start = upperRows[j];
            if (start + 1 + count > upperColumns.Length)
            {
                int size = (int)Math.Min(Array.MaxLength, Math.Max(start + 1 + count, 2L * upperColumns.Length));
                Array.Resize(ref upperColumns, size);
                Array.Resize(ref upperValues, size);
            }
            upperColumns[start] = j;
            upperValues[start] = ujj;
            double inverse = 1 / ujj;
            for (int k = 0; k < count; k++)
            {
                upperColumns[start + 1 + k] = kept[k];
                upperValues[start + 1 + k] = row[kept[k]] * inverse;
            }
            upperRows[j + 1] = start + 1 + count;
            if (count > 0) Link(j, start + 1);
            row.Clear();
        }
        Array.Resize(ref upperColumns, upperRows[n]);
        Array.Resize(ref upperValues, upperRows[n]);
        return new TriangularMatrix(n, isLower: false, hasUnitDiagonal: false, upperRows, upperColumns, upperValues);

        void Link(int k, int entry)
        {
            nextEntry[k] = entry;
            int column = upperColumns[entry];
            nextRow[k] = columnHead[column];
            columnHead[column] = k;
        }
    }
}
