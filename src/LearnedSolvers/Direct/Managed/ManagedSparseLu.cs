using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// Sparse LU factorization P A Q = L U in managed code: left-looking, one column at a time by a sparse triangular
/// solve whose pattern is the depth-first reach in the graph of L (Gilbert and Peierls, "Sparse partial pivoting in
/// time proportional to arithmetic operations", SIAM J. Sci. Stat. Comput. 9(5), 1988; cs_lu of Davis, "Direct Methods
/// for Sparse Linear Systems", SIAM 2006, sec. 6.3), with threshold partial pivoting. The columns are ordered by AMD on
/// A + Aᵀ (identity for <see cref="DirectOrdering.Natural"/>), as KLU does, and the diagonal entry of the permuted
/// matrix is kept as pivot while it is at least τ times the column's largest, so the ordering's fill estimate holds.
/// </summary>
/// <remarks>
/// <para>The factorization runs on A's columns: A (CSR) is transposed once into column form, and the map from each
/// entry to its place there is kept, so <see cref="Refactor"/> scatters new values without transposing again.</para>
/// <para>The factor arrays start at nnz(L) of the symbolic Cholesky factorization of A + Aᵀ, each for L and U, and
/// grow (doubling, capped at the memory limit) when pivoting makes more fill; <see cref="FactorMemoryException"/>
/// comes when even the entries the next column needs would pass the limit.</para>
/// <para><see cref="Solve"/> uses one workspace: call it from one thread at a time. Each solve is followed by up to
/// <see cref="DirectSolverOptions.RefinementSteps"/> steps of iterative refinement against the matrix last factored.</para>
/// </remarks>
public sealed class ManagedSparseLu : ISparseFactorization, IFactorSolve
{
    private const string Name = "An LU factorization";

    private readonly DirectSolverOptions _options;
    private readonly int[] _columnOrder; // q: new → old column
    private readonly int[] _columnPointers; // A by columns
    private readonly int[] _columnRows;
    private readonly double[] _columnValues;
    private readonly int[] _columnSlotOfEntry; // entry k of A (CSR) → its slot in the column form
    private readonly double _fixedBytes; // everything but the factor entries

    private readonly int[] _lowerPointers;
    private int[] _lowerRows;
    private double[] _lowerValues;
    private readonly int[] _upperPointers;
    private int[] _upperRows;
    private double[] _upperValues;
    private readonly int[] _rowStep; // pinv: original row → the step that pivoted on it

    private readonly double[] _dense; // the column being factored, scattered by original row
    private readonly int[] _stack; // the depth-first stack at the bottom, the finished reach at [top, n)
    private readonly int[] _resume; // where each node on the stack resumes its scan of L's column
    private readonly int[] _visited; // visited[i] == k: row i is in column k's reach
    private readonly double[] _permuted;
    private readonly ManagedFactorizationState _state;

    private ManagedSparseLu(CsrMatrix a, DirectSolverOptions options)
    {
        int n = a.Rows;
        Size = n;
        _options = options;
        _columnOrder = FillReducingOrdering.For(a, options.Ordering);

        var (upperPointers, upperRows) = SymbolicCholesky.UpperOfPermutedSum(n, a.RowPointers, a.ColumnIndices, FillReducingOrdering.Inverse(_columnOrder));
        long guess = Math.Max(new SymbolicCholesky(n, upperPointers, upperRows).FactorNonZeros, n);

        _fixedBytes = a.NonZeros * 16.0 // A by columns and the entry map
            + n * (8 * 4.0 + 2 * 8 + IterativeRefinement.BytesPerUnknown(options.RefinementSteps));
        FactorMemory.Require(Backend, _fixedBytes + 2 * guess * FactorMemory.BytesPerEntry, guess, options);

        var byColumns = a.Transpose(out _columnSlotOfEntry);
        _columnPointers = byColumns.RowPointers;
        _columnRows = byColumns.ColumnIndices;
        _columnValues = byColumns.Values;
        _lowerPointers = new int[n + 1];
        _lowerRows = new int[guess];
        _lowerValues = new double[guess];
        _upperPointers = new int[n + 1];
        _upperRows = new int[guess];
        _upperValues = new double[guess];
        _rowStep = new int[n];
        _dense = new double[n];
        _stack = new int[n];
        _resume = new int[n];
        _visited = new int[n];
        _permuted = new double[n];
        _state = new ManagedFactorizationState(this, Backend, Name, a, options.RefinementSteps);
        FactorNumeric();
        _state.Factored(a);
    }

    /// <summary>Orders and factors a square nonsingular matrix.</summary>
    /// <param name="a">A square matrix.</param>
    /// <param name="options">Ordering, pivot tolerance, memory limit and refinement steps; null: the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not square.</exception>
    /// <exception cref="InvalidMatrixException">A value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="FactorMemoryException">The factors would take more memory than the limit.</exception>
    /// <exception cref="SingularMatrixException">A column has no nonzero pivot, named as a column of <paramref name="a"/>.</exception>
    public static ManagedSparseLu Factor(CsrMatrix a, DirectSolverOptions? options = null) =>
        new(a, FactorizationInput.Require(a, options, Name));

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public DirectBackend Backend => DirectBackend.ManagedLu;

    /// <inheritdoc/>
    public long FactorNonZeros => (long)_lowerPointers[Size] + _upperPointers[Size];

    /// <summary>The column permutation q (new → old): column k of P A Q is column q[k] of A.</summary>
    public ReadOnlySpan<int> ColumnOrder => _columnOrder;

    /// <inheritdoc/>
    public void Refactor(CsrMatrix a)
    {
        _state.CheckRefactor(a);
        var values = a.Values;
        for (int k = 0; k < _columnSlotOfEntry.Length; k++) _columnValues[_columnSlotOfEntry[k]] = values[k];
        _state.Factoring();
        FactorNumeric();
        _state.Factored(a);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">The last <see cref="Refactor"/> failed.</exception>
    public void Solve(ReadOnlySpan<double> b, Span<double> x) => _state.Solve(b, x);

    /// <summary>Releases nothing native; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public void Dispose() => _state.Dispose();

    /// <summary>
    /// Column k: x = L⁻¹ A(:, q[k]) over the reach of A(:, q[k])'s rows in L's graph (topological order, so each x_j is
    /// final before it updates others); x's entries in pivoted rows form U(:, k), the others, divided by the pivot, L(:, k).
    /// L's row indices stay original rows while factoring (the reach needs them) and become steps at the end.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FactorNumeric()
    {
        int n = Size;
        double tolerance = _options.PivotTolerance;
        Array.Fill(_rowStep, -1);
        Array.Fill(_visited, -1);
        Array.Clear(_dense);
        int lnz = 0, unz = 0;
        for (int k = 0; k < n; k++)
        {
            _lowerPointers[k] = lnz;
            _upperPointers[k] = unz;
            int column = _columnOrder[k];
            int top = Reach(column, k);

            int needed = n - top;
            if ((long)lnz + needed > _lowerRows.Length) Grow(ref _lowerRows, ref _lowerValues, (long)lnz + needed, _upperRows.Length);
            if ((long)unz + needed > _upperRows.Length) Grow(ref _upperRows, ref _upperValues, (long)unz + needed, _lowerRows.Length);

            ref double x = ref MemoryMarshal.GetArrayDataReference(_dense);
            ref int stack = ref MemoryMarshal.GetArrayDataReference(_stack);
            ref int step = ref MemoryMarshal.GetArrayDataReference(_rowStep);
            ref int lp = ref MemoryMarshal.GetArrayDataReference(_lowerPointers);
            ref int li = ref MemoryMarshal.GetArrayDataReference(_lowerRows);
            ref double lx = ref MemoryMarshal.GetArrayDataReference(_lowerValues);
            for (int p = _columnPointers[column]; p < _columnPointers[column + 1]; p++) Unsafe.Add(ref x, _columnRows[p]) = _columnValues[p];
            for (int px = top; px < n; px++)
            {
                int j = Unsafe.Add(ref stack, px);
                int jStep = Unsafe.Add(ref step, j);
                if (jStep < 0) continue;
                double xj = Unsafe.Add(ref x, j);
                int last = Unsafe.Add(ref lp, jStep + 1);
                for (int p = Unsafe.Add(ref lp, jStep) + 1; p < last; p++)
                    Unsafe.Add(ref x, Unsafe.Add(ref li, p)) -= Unsafe.Add(ref lx, p) * xj;
            }

            int pivotRow = -1;
            double largest = -1;
            for (int px = top; px < n; px++)
            {
                int i = Unsafe.Add(ref stack, px);
                double xi = Unsafe.Add(ref x, i);
                int iStep = Unsafe.Add(ref step, i);
                if (iStep < 0)
                {
                    if (Math.Abs(xi) > largest)
                    {
                        largest = Math.Abs(xi);
                        pivotRow = i;
                    }
                }
                else
                {
                    _upperRows[unz] = iStep;
                    _upperValues[unz++] = xi;
                }
            }
            if (pivotRow == -1 || !(largest > 0))
                throw new SingularMatrixException(Backend, column);
            if (!double.IsFinite(largest))
                throw new SingularMatrixException(Backend, column, detail: "the elimination overflowed");
            if (_rowStep[column] < 0 && Math.Abs(_dense[column]) >= tolerance * largest) pivotRow = column;
            double pivot = _dense[pivotRow];
            _upperRows[unz] = k;
            _upperValues[unz++] = pivot;
            _rowStep[pivotRow] = k;
            _lowerRows[lnz] = pivotRow;
            _lowerValues[lnz++] = 1;
            for (int px = top; px < n; px++)
            {
                int i = Unsafe.Add(ref stack, px);
                if (Unsafe.Add(ref step, i) < 0)
                {
                    Unsafe.Add(ref li, lnz) = i;
                    Unsafe.Add(ref lx, lnz++) = Unsafe.Add(ref x, i) / pivot;
                }
                Unsafe.Add(ref x, i) = 0;
            }
        }
        _lowerPointers[n] = lnz;
        _upperPointers[n] = unz;
        for (int p = 0; p < lnz; p++) _lowerRows[p] = _rowStep[_lowerRows[p]];
    }

    /// <summary>
    /// The rows x = L⁻¹ A(:, column) may fill, by depth-first search from each entry of the column through L's
    /// columns (a row already pivoted leads to the column of its step): finished rows go to [top, n) of the stack
    /// array in reverse postorder, which is a topological order for the triangular solve.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Reach(int column, int k)
    {
        int n = Size;
        int top = n;
        ref int stack = ref MemoryMarshal.GetArrayDataReference(_stack);
        ref int resume = ref MemoryMarshal.GetArrayDataReference(_resume);
        ref int visited = ref MemoryMarshal.GetArrayDataReference(_visited);
        ref int step = ref MemoryMarshal.GetArrayDataReference(_rowStep);
        ref int lp = ref MemoryMarshal.GetArrayDataReference(_lowerPointers);
        ref int li = ref MemoryMarshal.GetArrayDataReference(_lowerRows);
        for (int q = _columnPointers[column]; q < _columnPointers[column + 1]; q++)
        {
            int start = _columnRows[q];
            if (Unsafe.Add(ref visited, start) == k) continue;
            int head = 0;
            Unsafe.Add(ref stack, 0) = start;
            while (head >= 0)
            {
                int j = Unsafe.Add(ref stack, head);
                int jStep = Unsafe.Add(ref step, j);
                if (Unsafe.Add(ref visited, j) != k)
                {
                    Unsafe.Add(ref visited, j) = k;
                    // Skip L's unit diagonal: its row is j itself.
                    Unsafe.Add(ref resume, head) = jStep < 0 ? 0 : Unsafe.Add(ref lp, jStep) + 1;
                }
                int end = jStep < 0 ? 0 : Unsafe.Add(ref lp, jStep + 1);
                bool finished = true;
                for (int p = Unsafe.Add(ref resume, head); p < end; p++)
                {
                    int i = Unsafe.Add(ref li, p);
                    if (Unsafe.Add(ref visited, i) == k) continue;
                    Unsafe.Add(ref resume, head) = p + 1;
                    Unsafe.Add(ref stack, ++head) = i;
                    finished = false;
                    break;
                }
                if (finished)
                {
                    head--;
                    Unsafe.Add(ref stack, --top) = j;
                }
            }
        }
        return top;
    }

    /// <summary>
    /// Enlarges one factor's arrays to at least <paramref name="required"/> entries: double the capacity, or as much
    /// as the memory limit leaves beside the other factor (<paramref name="otherCapacity"/>) and the fixed arrays.
    /// </summary>
    /// <exception cref="FactorMemoryException">Even <paramref name="required"/> entries would pass the limit.</exception>
    private void Grow(ref int[] rows, ref double[] values, long required, long otherCapacity)
    {
        double limit = _options.EffectiveMemoryLimit;
        double byLimit = (limit - _fixedBytes) / FactorMemory.BytesPerEntry - otherCapacity;
        long affordable = (long)Math.Min(byLimit, Array.MaxLength);
        long capacity = Math.Min(Math.Max(2L * rows.Length, required), affordable);
        if (capacity < required)
        {
            double needed = _fixedBytes + (otherCapacity + required) * FactorMemory.BytesPerEntry;
            throw new FactorMemoryException(Backend, needed, byLimit < Array.MaxLength ? limit : Array.MaxLength * FactorMemory.BytesPerEntry);
        }
        Array.Resize(ref rows, (int)capacity);
        Array.Resize(ref values, (int)capacity);
    }

    /// <summary>x = Q U⁻¹ L⁻¹ P b: L by columns (unit diagonal first), U by columns (diagonal last).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IFactorSolve.SolveWithFactors(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = Size;
        var w = _permuted;
        for (int i = 0; i < n; i++) w[_rowStep[i]] = b[i];
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        ref int lp = ref MemoryMarshal.GetArrayDataReference(_lowerPointers);
        ref int li = ref MemoryMarshal.GetArrayDataReference(_lowerRows);
        ref double lx = ref MemoryMarshal.GetArrayDataReference(_lowerValues);
        for (int j = 0; j < n; j++)
        {
            double wj = Unsafe.Add(ref wr, j);
            int last = Unsafe.Add(ref lp, j + 1);
            for (int p = Unsafe.Add(ref lp, j) + 1; p < last; p++) Unsafe.Add(ref wr, Unsafe.Add(ref li, p)) -= Unsafe.Add(ref lx, p) * wj;
        }
        ref int up = ref MemoryMarshal.GetArrayDataReference(_upperPointers);
        ref int ui = ref MemoryMarshal.GetArrayDataReference(_upperRows);
        ref double ux = ref MemoryMarshal.GetArrayDataReference(_upperValues);
        for (int j = n - 1; j >= 0; j--)
        {
            int first = Unsafe.Add(ref up, j), diagonal = Unsafe.Add(ref up, j + 1) - 1;
            double wj = Unsafe.Add(ref wr, j) / Unsafe.Add(ref ux, diagonal);
            Unsafe.Add(ref wr, j) = wj;
            for (int p = first; p < diagonal; p++) Unsafe.Add(ref wr, Unsafe.Add(ref ui, p)) -= Unsafe.Add(ref ux, p) * wj;
        }
        for (int k = 0; k < n; k++) x[_columnOrder[k]] = w[k];
    }
}
