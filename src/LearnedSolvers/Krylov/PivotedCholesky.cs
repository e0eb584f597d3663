namespace LearnedSolvers.Krylov;

/// <summary>
/// Rank-revealing Cholesky factorization of a small symmetric positive semidefinite matrix (the outer-product form with
/// diagonal pivoting, Higham 2002 §10.3): Πᵀ G Π = L Lᵀ over the first r pivots, stopping when the largest diagonal
/// entry left in the Schur complement is at most a tolerance. For the Gram matrices of block Krylov methods, scaled to
/// unit diagonal first, r is the numerical rank of the block. Holds its workspace: factoring allocates nothing.
/// </summary>
internal sealed class PivotedCholesky
{
    private readonly double[] _schur, _l;
    private readonly int[] _pivots;
    private int _size;

    /// <param name="capacity">The largest order to factor.</param>
    public PivotedCholesky(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _schur = new double[capacity * capacity];
        _l = new double[capacity * capacity];
        _pivots = new int[capacity];
    }

    /// <summary>The numerical rank found by the last <see cref="Factor"/>.</summary>
    public int Rank { get; private set; }

    /// <summary>
    /// Factors the symmetric s × s matrix g (column-major, leading dimension s; the lower triangle is read). Returns the
    /// rank r, or −1 when g is not positive semidefinite to the tolerance (a diagonal entry left below −tolerance) or
    /// not finite.
    /// </summary>
    public int Factor(ReadOnlySpan<double> g, int s, double tolerance)
    {
        if ((uint)s > (uint)_pivots.Length) throw new ArgumentOutOfRangeException(nameof(s), s, $"At most {_pivots.Length}.");
        _size = s;
        Rank = 0;
        var a = _schur.AsSpan(0, s * s);
        for (int j = 0; j < s; j++)
        {
            _pivots[j] = j;
            for (int i = j; i < s; i++)
            {
                double v = g[j * s + i];
                if (!double.IsFinite(v)) return -1;
                a[j * s + i] = a[i * s + j] = v;
            }
        }
        for (int c = 0; c < s; c++)
        {
            int best = c;
            for (int i = c + 1; i < s; i++)
                if (Diagonal(a, s, i) > Diagonal(a, s, best)) best = i;
            double pivot = Diagonal(a, s, best);
            if (pivot <= tolerance)
            {
                for (int i = c; i < s; i++)
                    if (Diagonal(a, s, i) < -tolerance) return -1;
                return Rank = c;
            }
            (_pivots[c], _pivots[best]) = (_pivots[best], _pivots[c]);
            for (int k = 0; k < c; k++) (_l[k * s + c], _l[k * s + best]) = (_l[k * s + best], _l[k * s + c]);
            double root = Math.Sqrt(pivot);
            _l[c * s + c] = root;
            int pc = _pivots[c];
            for (int i = c + 1; i < s; i++) _l[c * s + i] = a[pc * s + _pivots[i]] / root;
            for (int j = c + 1; j < s; j++)
            {
                int pj = _pivots[j];
                double lj = _l[c * s + j];
                for (int i = j; i < s; i++)
                {
                    int pi = _pivots[i];
                    double v = a[pj * s + pi] - _l[c * s + i] * lj;
                    a[pj * s + pi] = a[pi * s + pj] = v;
                }
            }
        }
        return Rank = s;
    }

    private double Diagonal(Span<double> a, int s, int i)
    {
        int p = _pivots[i];
        return a[p * s + p];
    }

    /// <summary>Solves G X = B in place for the m columns of b (s × m, column-major, leading dimension s); needs full rank.</summary>
    public void Solve(Span<double> b, int m)
    {
        int s = _size;
        if (Rank != s) throw new InvalidOperationException($"The factored matrix has rank {Rank} of {s}; solve with full rank only.");
        Span<double> y = stackalloc double[s];
        for (int col = 0; col < m; col++)
        {
            var x = b.Slice(col * s, s);
            for (int i = 0; i < s; i++) y[i] = x[_pivots[i]];
            for (int i = 0; i < s; i++)
            {
                double v = y[i];
                for (int k = 0; k < i; k++) v -= _l[k * s + i] * y[k];
                y[i] = v / _l[i * s + i];
            }
            for (int i = s - 1; i >= 0; i--)
            {
                double v = y[i];
                for (int k = i + 1; k < s; k++) v -= _l[i * s + k] * y[k];
                y[i] = v / _l[i * s + i];
            }
            for (int i = 0; i < s; i++) x[_pivots[i]] = y[i];
        }
    }

    /// <summary>
    /// T = Π_r L_r⁻ᵀ (s × r, column-major, leading dimension s): the columns of a block B T span the directions kept and
    /// satisfy Tᵀ G T = I (G is Π L Lᵀ Πᵀ on the pivots kept).
    /// </summary>
    public void Whitening(Span<double> t)
    {
        int s = _size, r = Rank;
        t[..(s * r)].Clear();
        // Column c of L⁻ᵀ (upper triangular) solves Lᵀ v = e_c; its entries land on the pivots' rows.
        Span<double> v = stackalloc double[r];
        for (int c = 0; c < r; c++)
        {
            for (int i = r - 1; i >= 0; i--)
            {
                double sum = i == c ? 1 : 0;
                for (int k = i + 1; k < r; k++) sum -= _l[i * s + k] * v[k];
                v[i] = sum / _l[i * s + i];
            }
            for (int i = 0; i < r; i++) t[c * s + _pivots[i]] = v[i];
        }
    }
}
