namespace LearnedSolvers.Sparse.Orderings;

/// <summary>
/// Approximate minimum degree ordering (Amestoy, Davis and Duff, "An approximate minimum degree ordering algorithm",
/// SIAM J. Matrix Anal. Appl. 17(4), 1996) on the pattern of A + Aᵀ with the diagonal ignored. The structure follows
/// cs_amd of Davis, "Direct Methods for Sparse Linear Systems" (SIAM 2006), ch. 7: a quotient graph held in one
/// array with garbage collection, approximate external degrees, element absorption, mass elimination, supernode
/// detection by hashing, and a postorder of the assembly tree at the end.
/// </summary>
/// <remarks>
/// Rows denser than max(16, 10·√n) are removed before the ordering and placed last: one dense row would otherwise make
/// every degree update touch it and the ordering cost O(n²).
/// </remarks>
public static class ApproximateMinimumDegree
{
    /// <summary>
    /// A fill-reducing permutation of a square matrix: p[k] is the original index of the k-th row and column
    /// (new → old), so that P A Pᵀ, with row k of it row p[k] of A, has a sparse Cholesky or LU factor.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> is not square.</exception>
    public static int[] Order(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare)
            throw new ArgumentException($"AMD orders square matrices; this one is {a.Rows} x {a.Columns}.", nameof(a));
        return Order(a.Rows, a.RowPointers, a.ColumnIndices);
    }

    /// <summary>The ordering of <see cref="Order(CsrMatrix)"/> from a square pattern (CSR, or CSC: A + Aᵀ is the same).</summary>
    internal static int[] Order(int n, int[] rowPointers, int[] columnIndices)
    {
        if (n == 0) return [];
        int[] cp = SymmetricPatternWithElbowRoom(n, rowPointers, columnIndices, out int[] ci, out int cnz);
        return OrderQuotientGraph(n, cp, ci, cnz);
    }

    /// <summary>
    /// Column pointers and rows of A + Aᵀ without the diagonal (each off-diagonal pair once), in an array with about
    /// 20% + 2n free slots: the quotient graph builds new elements in that space and compacts when it runs out.
    /// </summary>
    private static int[] SymmetricPatternWithElbowRoom(int n, int[] rowPointers, int[] columnIndices, out int[] ci, out int cnz)
    {
        // Degree of each node in A + Aᵀ: count (i, j) and (j, i) for every stored off-diagonal entry, then drop the
        // duplicates a symmetric entry pair produces with a marker per node.
        var transposePointers = new int[n + 1];
        for (int k = 0; k < rowPointers[n]; k++) transposePointers[columnIndices[k] + 1]++;
        for (int j = 0; j < n; j++) transposePointers[j + 1] += transposePointers[j];
        var transposeRows = new int[rowPointers[n]];
        var next = transposePointers.AsSpan(0, n).ToArray();
        for (int i = 0; i < n; i++)
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
                transposeRows[next[columnIndices[k]]++] = i;

        var mark = new int[n];
        Array.Fill(mark, -1);
        var cp = new int[n + 1];
        for (int i = 0; i < n; i++)
        {
            int count = 0;
            mark[i] = i;
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                int j = columnIndices[k];
                if (mark[j] != i) { mark[j] = i; count++; }
            }
            for (int k = transposePointers[i]; k < transposePointers[i + 1]; k++)
            {
                int j = transposeRows[k];
                if (mark[j] != i) { mark[j] = i; count++; }
            }
            cp[i + 1] = cp[i] + count;
        }
        cnz = cp[n];
        long room = (long)cnz + cnz / 5 + 2L * n;
        if (room > Array.MaxLength)
            throw new ArgumentException($"The pattern of A + Aᵀ has {cnz} entries; AMD's workspace of {room} exceeds the largest array.");
        ci = new int[room];
        Array.Fill(mark, -1);
        for (int i = 0; i < n; i++)
        {
            int write = cp[i];
            mark[i] = i;
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                int j = columnIndices[k];
                if (mark[j] != i) { mark[j] = i; ci[write++] = j; }
            }
            for (int k = transposePointers[i]; k < transposePointers[i + 1]; k++)
            {
                int j = transposeRows[k];
                if (mark[j] != i) { mark[j] = i; ci[write++] = j; }
            }
        }
        return cp;
    }

    /// <summary>A flipped index marks a node or element as absorbed (in Cp) or a compacted object's head (in Ci): −i − 2 ≤ −2.</summary>
    private static int Flip(int i) => -i - 2;

    /// <summary>
    /// The minimum degree loop of cs_amd on the quotient graph (cp, ci; <paramref name="cnz"/> slots used). Node n is
    /// a virtual element that absorbs the dense rows, so they come last in the postorder.
    /// </summary>
    private static int[] OrderQuotientGraph(int n, int[] cp, int[] ci, int cnz)
    {
        int dense = (int)Math.Max(16, 10 * Math.Sqrt(n));
        dense = Math.Min(n - 2, dense);
        int nzmax = ci.Length;

        var order = new int[n + 1];
        var len = new int[n + 1];
        var nv = new int[n + 1];
        var next = new int[n + 1];
        var head = new int[n + 1];
        var elen = new int[n + 1];
        var degree = new int[n + 1];
        var w = new int[n + 1];
        var hhead = new int[n + 1];
        int[] last = order; // cs_amd shares last with the output: last is dead once the postorder starts

        for (int k = 0; k < n; k++) len[k] = cp[k + 1] - cp[k];
        len[n] = 0;
        for (int i = 0; i <= n; i++)
        {
            head[i] = -1;
            last[i] = -1;
            next[i] = -1;
            hhead[i] = -1;
            nv[i] = 1;
            w[i] = 1;
            elen[i] = 0;
            degree[i] = len[i];
        }
        int mark = ClearMarks(0, 0, w, n);
        elen[n] = -2;
        cp[n] = -1;
        w[n] = 0;

        int nel = 0;
        for (int i = 0; i < n; i++)
        {
            int d = degree[i];
            if (d == 0)
            {
                elen[i] = -2; // an isolated node is eliminated at once
                nel++;
                cp[i] = -1;
                w[i] = 0;
            }
            else if (d > dense)
            {
                nv[i] = 0; // a dense node is absorbed into the virtual element n
                elen[i] = -1;
                nel++;
                cp[i] = Flip(n);
                nv[n]++;
            }
            else
            {
                if (head[d] != -1) last[head[d]] = i;
                next[i] = head[d];
                head[d] = i;
            }
        }

        int mindeg = 0, lemax = 0;
        while (nel < n)
        {
            // Select a node of minimum approximate degree.
            int k = -1;
            for (; mindeg < n && (k = head[mindeg]) == -1; mindeg++) { }
            if (next[k] != -1) last[next[k]] = -1;
            head[mindeg] = next[k];
            int elenk = elen[k], nvk = nv[k];
            nel += nvk;

            // Compact the quotient graph when the new element may not fit in the free space after cnz.
            if (elenk > 0 && cnz + mindeg >= nzmax)
            {
                for (int j = 0; j < n; j++)
                {
                    int p0 = cp[j];
                    if (p0 >= 0)
                    {
                        cp[j] = ci[p0]; // keep the object's first entry; its slot now names the object
                        ci[p0] = Flip(j);
                    }
                }
                int q = 0;
                for (int p0 = 0; p0 < cnz;)
                {
                    int j = Flip(ci[p0++]);
                    if (j >= 0)
                    {
                        ci[q] = cp[j];
                        cp[j] = q++;
                        for (int k3 = 0; k3 < len[j] - 1; k3++) ci[q++] = ci[p0++];
                    }
                }
                cnz = q;
            }

            // Construct the new element Lk from k's nodes and the nodes of the elements k is adjacent to.
            int dk = 0;
            nv[k] = -nvk; // k is in Lk
            int p = cp[k];
            int pk1 = elenk == 0 ? p : cnz; // in place when k touches no element
            int pk2 = pk1;
            for (int k1 = 1; k1 <= elenk + 1; k1++)
            {
                int e, pj, ln;
                if (k1 > elenk)
                {
                    e = k;
                    pj = p;
                    ln = len[k] - elenk;
                }
                else
                {
                    e = ci[p++];
                    pj = cp[e];
                    ln = len[e];
                }
                for (int k2 = 1; k2 <= ln; k2++)
                {
                    int i = ci[pj++];
                    int nvi = nv[i];
                    if (nvi <= 0) continue; // dead, or already in Lk
                    dk += nvi;
                    nv[i] = -nvi;
                    ci[pk2++] = i;
                    if (next[i] != -1) last[next[i]] = last[i];
                    if (last[i] != -1) next[last[i]] = next[i];
                    else head[degree[i]] = next[i];
                }
                if (e != k)
                {
                    cp[e] = Flip(k); // e is absorbed into k
                    w[e] = 0;
                }
            }
            if (elenk != 0) cnz = pk2;
            degree[k] = dk;
            cp[k] = pk1;
            len[k] = pk2 - pk1;
            elen[k] = -2; // k is now an element

            // |Le \ Lk| for every element e adjacent to a node of Lk, in w[e] − mark.
            mark = ClearMarks(mark, lemax, w, n);
            for (int pk = pk1; pk < pk2; pk++)
            {
                int i = ci[pk];
                int eln = elen[i];
                if (eln <= 0) continue;
                int nvi = -nv[i];
                int wnvi = mark - nvi;
                for (p = cp[i]; p <= cp[i] + eln - 1; p++)
                {
                    int e = ci[p];
                    if (w[e] >= mark) w[e] -= nvi;
                    else if (w[e] != 0) w[e] = degree[e] + wnvi;
                }
            }

            // Approximate degrees of the nodes of Lk; absorb elements that Lk covers; hash each node for supernodes.
            for (int pk = pk1; pk < pk2; pk++)
            {
                int i = ci[pk];
                int p1 = cp[i], p2 = p1 + elen[i] - 1, pn = p1;
                long h = 0;
                int d = 0;
                for (p = p1; p <= p2; p++)
                {
                    int e = ci[p];
                    if (w[e] != 0)
                    {
                        int dext = w[e] - mark;
                        if (dext > 0)
                        {
                            d += dext;
                            ci[pn++] = e;
                            h += e;
                        }
                        else
                        {
                            cp[e] = Flip(k); // aggressive absorption: Le ⊆ Lk
                            w[e] = 0;
                        }
                    }
                }
                elen[i] = pn - p1 + 1;
                int p3 = pn, p4 = p1 + len[i];
                for (p = p2 + 1; p < p4; p++)
                {
                    int j = ci[p];
                    int nvj = nv[j];
                    if (nvj <= 0) continue; // prune edges to nodes in Lk or dead
                    d += nvj;
                    ci[pn++] = j;
                    h += j;
                }
                if (d == 0)
                {
                    // Mass elimination: i is adjacent to Lk only, so it is eliminated with k.
                    cp[i] = Flip(k);
                    int nvi = -nv[i];
                    dk -= nvi;
                    nvk += nvi;
                    nel += nvi;
                    nv[i] = 0;
                    elen[i] = -1;
                }
                else
                {
                    degree[i] = Math.Min(degree[i], d);
                    ci[pn] = ci[p3]; // move the first node to the end
                    ci[p3] = ci[p1]; // move the first element to the end of the element list
                    ci[p1] = k; // k becomes the first element of i
                    len[i] = pn - p1 + 1;
                    int hash = (int)(h % n);
                    next[i] = hhead[hash];
                    hhead[hash] = i;
                    last[i] = hash;
                }
            }
            degree[k] = dk;
            lemax = Math.Max(lemax, dk);
            mark = ClearMarks(mark + lemax, lemax, w, n);

            // Supernode detection: nodes of one hash bucket with the same element and node lists merge.
            for (int pk = pk1; pk < pk2; pk++)
            {
                int i = ci[pk];
                if (nv[i] >= 0) continue;
                int hash = last[i];
                i = hhead[hash];
                hhead[hash] = -1;
                for (; i != -1 && next[i] != -1; i = next[i], mark++)
                {
                    int ln = len[i], eln = elen[i];
                    for (p = cp[i] + 1; p <= cp[i] + ln - 1; p++) w[ci[p]] = mark;
                    int jlast = i;
                    for (int j = next[i]; j != -1;)
                    {
                        bool same = len[j] == ln && elen[j] == eln;
                        for (p = cp[j] + 1; same && p <= cp[j] + ln - 1; p++)
                            if (w[ci[p]] != mark) same = false;
                        if (same)
                        {
                            cp[j] = Flip(i); // j is absorbed into i
                            nv[i] += nv[j];
                            nv[j] = 0;
                            elen[j] = -1;
                            j = next[j];
                            next[jlast] = j;
                        }
                        else
                        {
                            jlast = j;
                            j = next[j];
                        }
                    }
                }
            }

            // Finalize Lk: restore the node weights and put each node back in the degree lists.
            p = pk1;
            for (int pk = pk1; pk < pk2; pk++)
            {
                int i = ci[pk];
                int nvi = -nv[i];
                if (nvi <= 0) continue;
                nv[i] = nvi;
                int d = degree[i] + dk - nvi;
                d = Math.Min(d, n - nel - nvi);
                if (head[d] != -1) last[head[d]] = i;
                next[i] = head[d];
                last[i] = -1;
                head[d] = i;
                mindeg = Math.Min(mindeg, d);
                degree[i] = d;
                ci[p++] = i;
            }
            nv[k] = nvk;
            len[k] = p - pk1;
            if (len[k] == 0)
            {
                cp[k] = -1; // k is a root of the assembly tree
                w[k] = 0;
            }
            if (elenk != 0) cnz = p;
        }

        // Postorder the assembly tree: absorbed nodes and elements hang below the element that absorbed them.
        for (int i = 0; i < n; i++) cp[i] = Flip(cp[i]);
        for (int j = 0; j <= n; j++) head[j] = -1;
        for (int j = n; j >= 0; j--)
        {
            if (nv[j] > 0) continue; // only unordered (absorbed) nodes here
            next[j] = head[cp[j]];
            head[cp[j]] = j;
        }
        for (int e = n; e >= 0; e--)
        {
            if (nv[e] <= 0) continue;
            if (cp[e] != -1)
            {
                next[e] = head[cp[e]];
                head[cp[e]] = e;
            }
        }
        int count = 0;
        for (int i = 0; i <= n; i++)
            if (cp[i] == -1) count = TreeDepthFirst(i, count, head, next, order, w);
        // The virtual dense element n is the last root, so it is last in the postorder.
        return order.AsSpan(0, n).ToArray();
    }

    /// <summary>Restarts the marks when mark + lemax would overflow: every live w becomes 1 and the mark 2.</summary>
    private static int ClearMarks(int mark, int lemax, int[] w, int n)
    {
        if (mark < 2 || mark + lemax < 0)
        {
            for (int k = 0; k < n; k++)
                if (w[k] != 0) w[k] = 1;
            mark = 2;
        }
        return mark;
    }

    /// <summary>Depth-first postorder of the subtree at <paramref name="root"/> (children lists head/next, consumed), written from post[k].</summary>
    internal static int TreeDepthFirst(int root, int k, int[] head, int[] next, int[] post, int[] stack)
    {
        int top = 0;
        stack[0] = root;
        while (top >= 0)
        {
            int p = stack[top];
            int i = head[p];
            if (i == -1)
            {
                top--;
                post[k++] = p;
            }
            else
            {
                head[p] = next[i];
                stack[++top] = i;
            }
        }
        return k;
    }
}
