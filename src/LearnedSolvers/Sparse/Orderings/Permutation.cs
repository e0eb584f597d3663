namespace LearnedSolvers.Sparse.Orderings;

/// <summary>
/// A reordering of n indices, stored new → old: position i of the reordered object holds what was at
/// <c>this[i]</c>. Permuting the rows of A by p gives B[i, :] = A[p[i], :]; a symmetric reordering by p gives
/// B[i, j] = A[p[i], p[j]] (Pᵀ A P for the permutation matrix P with P[p[i], i] = 1). Both directions are kept, so
/// mapping either way costs no search.
/// </summary>
public sealed class Permutation
{
    private readonly int[] _newToOld;
    private readonly int[] _oldToNew;

    /// <summary>Wraps a new → old map (copied) after checking that it holds every index 0..n−1 exactly once.</summary>
    /// <exception cref="ArgumentException">An index is out of range or appears twice; the message names it and where.</exception>
    public Permutation(ReadOnlySpan<int> newToOld)
    {
        _newToOld = newToOld.ToArray();
        _oldToNew = new int[_newToOld.Length];
        Array.Fill(_oldToNew, -1);
        for (int i = 0; i < _newToOld.Length; i++)
        {
            int old = _newToOld[i];
            if ((uint)old >= (uint)_newToOld.Length)
                throw new ArgumentException($"Position {i} holds index {old}, outside 0..{_newToOld.Length - 1}.", nameof(newToOld));
            if (_oldToNew[old] >= 0)
                throw new ArgumentException($"Index {old} appears twice, at positions {_oldToNew[old]} and {i}; a permutation holds each index once.", nameof(newToOld));
            _oldToNew[old] = i;
        }
    }

    private Permutation(int[] newToOld, int[] oldToNew)
    {
        _newToOld = newToOld;
        _oldToNew = oldToNew;
    }

    /// <summary>The identity on n indices.</summary>
    public static Permutation Identity(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        return new Permutation(p, (int[])p.Clone());
    }

    /// <summary>Number of indices permuted.</summary>
    public int Size => _newToOld.Length;

    /// <summary>The old index at new position <paramref name="newIndex"/>.</summary>
    public int this[int newIndex] => _newToOld[newIndex];

    /// <summary>new → old: entry i is the old index placed at position i.</summary>
    public ReadOnlySpan<int> NewToOld => _newToOld;

    /// <summary>old → new: entry k is the position that old index k moves to.</summary>
    public ReadOnlySpan<int> OldToNew => _oldToNew;

    /// <summary>True when every index stays where it is.</summary>
    public bool IsIdentity
    {
        get
        {
            for (int i = 0; i < _newToOld.Length; i++)
                if (_newToOld[i] != i) return false;
            return true;
        }
    }

    /// <summary>The permutation that undoes this one.</summary>
    public Permutation Inverse() => new(_oldToNew, _newToOld);

    /// <summary>
    /// This reordering followed by <paramref name="next"/>, which reorders the already reordered indices:
    /// result[i] = this[next[i]].
    /// </summary>
    /// <exception cref="ArgumentException">The sizes differ.</exception>
    public Permutation Then(Permutation next)
    {
        ArgumentNullException.ThrowIfNull(next);
        if (next.Size != Size) throw new ArgumentException($"Cannot follow a permutation of {Size} indices by one of {next.Size}.", nameof(next));
        var p = new int[Size];
        var q = new int[Size];
        for (int i = 0; i < p.Length; i++)
        {
            p[i] = _newToOld[next._newToOld[i]];
            q[p[i]] = i;
        }
        return new Permutation(p, q);
    }

    /// <summary>permuted[i] = original[this[i]]: a vector indexed like the original, reordered.</summary>
    /// <exception cref="ArgumentException">A length differs from <see cref="Size"/>.</exception>
    public void Gather(ReadOnlySpan<double> original, Span<double> permuted)
    {
        CheckLength(original.Length, nameof(original));
        CheckLength(permuted.Length, nameof(permuted));
        for (int i = 0; i < _newToOld.Length; i++) permuted[i] = original[_newToOld[i]];
    }

    /// <summary>original[this[i]] = permuted[i]: undoes <see cref="Gather"/>.</summary>
    /// <exception cref="ArgumentException">A length differs from <see cref="Size"/>.</exception>
    public void Scatter(ReadOnlySpan<double> permuted, Span<double> original)
    {
        CheckLength(original.Length, nameof(original));
        CheckLength(permuted.Length, nameof(permuted));
        for (int i = 0; i < _newToOld.Length; i++) original[_newToOld[i]] = permuted[i];
    }

    /// <summary>
    /// B[i, j] = A[rows[i], columns[j]] (a null permutation leaves that side in place), with sorted columns, in
    /// O(nnz + n) plus the sort of each row.
    /// </summary>
    /// <exception cref="ArgumentException">A permutation's size differs from the matrix's rows or columns.</exception>
    public static CsrMatrix PermuteMatrix(CsrMatrix a, Permutation? rows, Permutation? columns)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (rows is not null && rows.Size != a.Rows)
            throw new ArgumentException($"The row permutation has {rows.Size} indices; the matrix has {a.Rows} rows.", nameof(rows));
        if (columns is not null && columns.Size != a.Columns)
            throw new ArgumentException($"The column permutation has {columns.Size} indices; the matrix has {a.Columns} columns.", nameof(columns));
        var rp = new int[a.Rows + 1];
        var ci = new int[a.NonZeros];
        var v = new double[a.NonZeros];
        int write = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            int old = rows is null ? i : rows._newToOld[i];
            int start = write;
            for (int k = a.RowPointers[old]; k < a.RowPointers[old + 1]; k++)
            {
                ci[write] = columns is null ? a.ColumnIndices[k] : columns._oldToNew[a.ColumnIndices[k]];
                v[write] = a.Values[k];
                write++;
            }
            if (columns is not null) ci.AsSpan(start, write - start).Sort(v.AsSpan(start, write - start));
            rp[i + 1] = write;
        }
        return CsrMatrix.Trusted(a.Rows, a.Columns, rp, ci, v);
    }

    private void CheckLength(int length, string name)
    {
        if (length != _newToOld.Length)
            throw new ArgumentException($"The vector has length {length}; the permutation has {_newToOld.Length} indices.", name);
    }
}
