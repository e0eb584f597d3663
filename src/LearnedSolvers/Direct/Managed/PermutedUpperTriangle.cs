using LearnedSolvers.Sparse;

namespace LearnedSolvers.Direct.Managed;

/// <summary>
/// The upper triangle of C = P A Pᵀ for a symmetric A, column by column (the input of an up-looking Cholesky: column k
/// of C's upper triangle is row k of its lower one), with a map from every stored entry of A to its slot in C so new
/// values on the same pattern move over without rebuilding (cs_symperm of Davis, "Direct Methods for Sparse Linear
/// Systems", 2006, sec. 2.4, plus the map). Both triangles of A map to the same slot, which is how symmetry is checked.
/// </summary>
internal sealed class PermutedUpperTriangle
{
    private readonly int[] _slotOfEntry; // entry k of A → its slot in C
    private readonly bool[] _isUpper; // whether entry k of A is on or above the diagonal (the side whose value C takes)

    /// <exception cref="ArgumentException">A's pattern is not symmetric.</exception>
    public PermutedUpperTriangle(CsrMatrix a, int[] inversePermutation)
    {
        int n = a.Rows, nnz = a.NonZeros;
        var rp = a.RowPointers;
        var ci = a.ColumnIndices;
        var pointers = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (j < i) continue;
                pointers[Math.Max(inversePermutation[i], inversePermutation[j]) + 1]++;
            }
        }
        for (int j = 0; j < n; j++) pointers[j + 1] += pointers[j];
        var rows = new int[pointers[n]];
        var slot = pointers.AsSpan(0, n).ToArray();
        _slotOfEntry = new int[nnz];
        _isUpper = new bool[nnz];
        for (int i = 0; i < n; i++)
        {
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (j < i) continue;
                int pi = inversePermutation[i], pj = inversePermutation[j];
                int s = slot[Math.Max(pi, pj)]++;
                rows[s] = Math.Min(pi, pj);
                _slotOfEntry[k] = s;
                _isUpper[k] = true;
            }
        }
        for (int i = 0; i < n; i++)
        {
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                int j = ci[k];
                if (j >= i) break; // columns are sorted: the rest of the row is the upper side
                int mirror = a.IndexOf(j, i);
                if (mirror < 0)
                    throw new ArgumentException(
                        $"A Cholesky factorization needs a symmetric matrix; entry ({i}, {j}) is stored but ({j}, {i}) is not. Use an LU factorization.", nameof(a));
                _slotOfEntry[k] = _slotOfEntry[mirror];
            }
        }
        // Each upper entry found its mirror's slot only if the lower triangle has no more entries than the upper one.
        int lower = 0, strictlyUpper = 0;
        for (int i = 0; i < n; i++)
            for (int k = rp[i]; k < rp[i + 1]; k++)
            {
                if (ci[k] < i) lower++;
                else if (ci[k] > i) strictlyUpper++;
            }
        if (lower != strictlyUpper)
            throw new ArgumentException(
                $"A Cholesky factorization needs a symmetric matrix; its pattern has {strictlyUpper} entries above the diagonal and {lower} below. Use an LU factorization.", nameof(a));
        ColumnPointers = pointers;
        Rows = rows;
    }

    /// <summary>Relative difference above which a[i, j] and a[j, i] are not the same value (rounding of a symmetric assembly passes).</summary>
    public const double SymmetryTolerance = 1e-12;

    /// <summary>Column pointers of C's upper triangle (length n + 1).</summary>
    public int[] ColumnPointers { get; }

    /// <summary>Row (≤ column) of each entry of C's upper triangle, unsorted within a column.</summary>
    public int[] Rows { get; }

    /// <summary>Writes A's values (upper side) into C's slots, and checks that the lower side holds the same numbers.</summary>
    /// <exception cref="ArgumentException">a[i, j] and a[j, i] differ by more than <see cref="SymmetryTolerance"/> relative.</exception>
    public void GatherValues(CsrMatrix a, double[] values)
    {
        var av = a.Values;
        for (int k = 0; k < _slotOfEntry.Length; k++)
            if (_isUpper[k]) values[_slotOfEntry[k]] = av[k];
        for (int k = 0; k < _slotOfEntry.Length; k++)
        {
            if (_isUpper[k]) continue;
            double upper = values[_slotOfEntry[k]], lower = av[k];
            if (Math.Abs(upper - lower) > SymmetryTolerance * Math.Max(Math.Abs(upper), Math.Abs(lower)))
            {
                int row = a.RowOf(k);
                throw new ArgumentException(
                    $"A Cholesky factorization needs a symmetric matrix; a[{row}, {a.ColumnIndices[k]}] = {lower} but a[{a.ColumnIndices[k]}, {row}] = {upper}. Use an LU factorization.", "a");
            }
        }
    }
}
