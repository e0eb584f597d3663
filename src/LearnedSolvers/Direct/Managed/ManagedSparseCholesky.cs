using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// Sparse Cholesky factorization P A Pᵀ = L Lᵀ of a symmetric positive definite matrix, in managed code: AMD ordering
/// (identity for <see cref="DirectOrdering.Natural"/>), symbolic analysis (elimination tree, column counts: nnz(L) is
/// known before any value is computed), then the up-looking numeric factorization, row k of L by a sparse triangular
/// solve over the reach of row k in the elimination tree (cs_chol of Davis, "Direct Methods for Sparse Linear
/// Systems", SIAM 2006, sec. 4.7). It reads the upper triangle and checks that the lower one matches.
/// </summary>
/// <remarks>
/// <see cref="Solve"/> uses one workspace: call it from one thread at a time. Each solve is followed by up to
/// <see cref="DirectSolverOptions.RefinementSteps"/> steps of iterative refinement against the matrix last factored.
/// </remarks>
public sealed class ManagedSparseCholesky : ISparseFactorization, IFactorSolve
{
    private const string Name = "A Cholesky factorization";

    private readonly int[] _permutation; // new → old
    private readonly PermutedUpperTriangle _upper;
    private readonly double[] _upperValues;
    private readonly int[] _parent;
    private readonly int[] _columnPointers;
    private readonly int[] _rows;
    private readonly double[] _values;
    private readonly int[] _columnEnd; // the next free slot of each column of L while rows are added
    private readonly int[] _reach; // the pattern of row k of L, at [top, n)
    private readonly int[] _visited; // visited[i] == k: node i is in row k's reach
    private readonly double[] _dense; // row k of L, scattered
    private readonly double[] _permuted; // the solve's vector in the permuted order
    private readonly ManagedFactorizationState _state;

    private ManagedSparseCholesky(CsrMatrix a, DirectSolverOptions options)
    {
        int n = a.Rows;
        Size = n;
        _permutation = FillReducingOrdering.For(a, options.Ordering);
        _upper = new PermutedUpperTriangle(a, FillReducingOrdering.Inverse(_permutation));
        var symbolic = new SymbolicCholesky(n, _upper.ColumnPointers, _upper.Rows);
        _parent = symbolic.Parent;

        // L's entries dominate; the per-unknown arrays (pointers, tree, workspace, refinement) and C's copy of A follow.
        long entries = symbolic.FactorNonZeros;
        double bytes = entries * FactorMemory.BytesPerEntry
            + n * (7 * 4.0 + 2 * 8 + IterativeRefinement.BytesPerUnknown(options.RefinementSteps))
            + _upper.Rows.Length * 8.0;
        FactorMemory.Require(Backend, bytes, entries, options);

        _columnPointers = symbolic.ColumnPointers();
        _rows = new int[entries];
        _values = new double[entries];
        _upperValues = new double[_upper.Rows.Length];
        _columnEnd = new int[n];
        _reach = new int[n];
        _visited = new int[n];
        _dense = new double[n];
        _permuted = new double[n];
        _state = new ManagedFactorizationState(this, Backend, Name, a, options.RefinementSteps);
        _upper.GatherValues(a, _upperValues);
        FactorNumeric();
        _state.Factored(a);
    }

    /// <summary>Orders, analyses and factors a symmetric positive definite matrix.</summary>
    /// <param name="a">A square symmetric matrix, both triangles stored.</param>
    /// <param name="options">Ordering, memory limit and refinement steps; null: the defaults.</param>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not square or not symmetric.</exception>
    /// <exception cref="InvalidMatrixException">A value is not finite.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="FactorMemoryException">L would take more memory than the limit.</exception>
    /// <exception cref="SingularMatrixException">A pivot is ≤ 0 (<see cref="SingularMatrixException.NotPositiveDefinite"/>), at the original column.</exception>
    public static ManagedSparseCholesky Factor(CsrMatrix a, DirectSolverOptions? options = null) =>
        new(a, FactorizationInput.Require(a, options, Name));

    /// <inheritdoc/>
    public int Size { get; }

    /// <inheritdoc/>
    public DirectBackend Backend => DirectBackend.ManagedCholesky;

    /// <inheritdoc/>
    public long FactorNonZeros => _columnPointers[Size];

    /// <summary>The symmetric permutation p (new → old): row and column k of P A Pᵀ are row and column p[k] of A.</summary>
    public ReadOnlySpan<int> Permutation => _permutation;

    /// <inheritdoc/>
    public void Refactor(CsrMatrix a)
    {
        _state.CheckRefactor(a);
        _upper.GatherValues(a, _upperValues); // a nonsymmetric matrix is refused with the old factors still valid
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
    /// Row k of L solves L(0:k, 0:k) l = C(0:k, k): its pattern is the reach of C's column k in the elimination tree,
    /// found in topological order by walking up from each entry until a node already visited; column i of L then
    /// holds exactly the rows added so far, so the update is one scaled column per entry of the row.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void FactorNumeric()
    {
        int n = Size;
        Array.Clear(_dense); // a failed factorization may leave a row scattered
        Array.Fill(_visited, -1);
        _columnPointers.AsSpan(0, n).CopyTo(_columnEnd);

        ref int cp = ref MemoryMarshal.GetArrayDataReference(_upper.ColumnPointers);
        ref int cr = ref MemoryMarshal.GetArrayDataReference(_upper.Rows);
        ref double cv = ref MemoryMarshal.GetArrayDataReference(_upperValues);
        ref int parent = ref MemoryMarshal.GetArrayDataReference(_parent);
        ref int lp = ref MemoryMarshal.GetArrayDataReference(_columnPointers);
        ref int li = ref MemoryMarshal.GetArrayDataReference(_rows);
        ref double lx = ref MemoryMarshal.GetArrayDataReference(_values);
        ref int end = ref MemoryMarshal.GetArrayDataReference(_columnEnd);
        ref int reach = ref MemoryMarshal.GetArrayDataReference(_reach);
        ref int visited = ref MemoryMarshal.GetArrayDataReference(_visited);
        ref double x = ref MemoryMarshal.GetArrayDataReference(_dense);

        for (int k = 0; k < n; k++)
        {
            int top = n;
            Unsafe.Add(ref visited, k) = k;
            int pEnd = Unsafe.Add(ref cp, k + 1);
            for (int p = Unsafe.Add(ref cp, k); p < pEnd; p++)
            {
                int i = Unsafe.Add(ref cr, p);
                Unsafe.Add(ref x, i) = Unsafe.Add(ref cv, p);
                int length = 0;
                // The path from i up to the first visited node, stored at the bottom of reach and then moved on top
                // of the stack reversed, so the whole stack is in topological order.
                for (; Unsafe.Add(ref visited, i) != k; i = Unsafe.Add(ref parent, i))
                {
                    Unsafe.Add(ref reach, length++) = i;
                    Unsafe.Add(ref visited, i) = k;
                }
                while (length > 0) Unsafe.Add(ref reach, --top) = Unsafe.Add(ref reach, --length);
            }

            double d = Unsafe.Add(ref x, k);
            Unsafe.Add(ref x, k) = 0;
            for (; top < n; top++)
            {
                int i = Unsafe.Add(ref reach, top);
                int first = Unsafe.Add(ref lp, i);
                double lki = Unsafe.Add(ref x, i) / Unsafe.Add(ref lx, first);
                Unsafe.Add(ref x, i) = 0;
                int last = Unsafe.Add(ref end, i);
                for (int p = first + 1; p < last; p++)
                    Unsafe.Add(ref x, Unsafe.Add(ref li, p)) -= Unsafe.Add(ref lx, p) * lki;
                d -= lki * lki;
                Unsafe.Add(ref li, last) = k;
                Unsafe.Add(ref lx, last) = lki;
                Unsafe.Add(ref end, i) = last + 1;
            }
            if (!(d > 0)) throw new SingularMatrixException(Backend, _permutation[k], notPositiveDefinite: true);
            int diagonal = Unsafe.Add(ref end, k)++;
            Unsafe.Add(ref li, diagonal) = k;
            Unsafe.Add(ref lx, diagonal) = Math.Sqrt(d);
        }
    }

    /// <summary>x = Pᵀ L⁻ᵀ L⁻¹ P b: L by columns (diagonal first in each), Lᵀ by the same columns as rows.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    void IFactorSolve.SolveWithFactors(ReadOnlySpan<double> b, Span<double> x)
    {
        int n = Size;
        var w = _permuted;
        for (int k = 0; k < n; k++) w[k] = b[_permutation[k]];
        ref int lp = ref MemoryMarshal.GetArrayDataReference(_columnPointers);
        ref int li = ref MemoryMarshal.GetArrayDataReference(_rows);
        ref double lx = ref MemoryMarshal.GetArrayDataReference(_values);
        ref double wr = ref MemoryMarshal.GetArrayDataReference(w);
        for (int j = 0; j < n; j++)
        {
            int first = Unsafe.Add(ref lp, j), last = Unsafe.Add(ref lp, j + 1);
            double wj = Unsafe.Add(ref wr, j) / Unsafe.Add(ref lx, first);
            Unsafe.Add(ref wr, j) = wj;
            for (int p = first + 1; p < last; p++) Unsafe.Add(ref wr, Unsafe.Add(ref li, p)) -= Unsafe.Add(ref lx, p) * wj;
        }
        for (int j = n - 1; j >= 0; j--)
        {
            int first = Unsafe.Add(ref lp, j), last = Unsafe.Add(ref lp, j + 1);
            double s = Unsafe.Add(ref wr, j);
            for (int p = first + 1; p < last; p++) s -= Unsafe.Add(ref lx, p) * Unsafe.Add(ref wr, Unsafe.Add(ref li, p));
            Unsafe.Add(ref wr, j) = s / Unsafe.Add(ref lx, first);
        }
        for (int k = 0; k < n; k++) x[_permutation[k]] = w[k];
    }
}
