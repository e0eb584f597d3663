namespace LearnedSolvers.Sparse.Orderings;

/// <summary>
/// Reverse Cuthill–McKee ordering (Cuthill and McKee 1969; reversed as George 1971 proposed, which never widens the
/// envelope and usually shrinks the fill of a band or profile factorization). Each connected component of the graph
/// of A + Aᵀ is numbered by a breadth-first search from a pseudo-peripheral node, found by George and Liu's
/// algorithm (George and Liu, ACM TOMS 5(3), 1979, 284–295; also Computer Solution of Large Sparse Positive Definite
/// Systems, 1981, Sec. 4.3), visiting each node's unnumbered neighbours by increasing degree; the whole numbering is
/// then reversed.
/// </summary>
/// <remarks>
/// A start node far from the rest of its component gives a deep and narrow level structure, and the bandwidth of the
/// ordering is less than twice the widest level (a node's neighbours lie in its own level or the two beside it). Ties in degree are broken by the smaller index, so the ordering is
/// deterministic.
/// </remarks>
public static class ReverseCuthillMcKee
{
    /// <summary>
    /// The RCM ordering of the symmetrized pattern of <paramref name="a"/> (values and the diagonal are ignored), as a
    /// permutation new → old: apply it to both sides, <c>Permutation.PermuteMatrix(a, p, p)</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    public static Permutation Order(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"RCM orders a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        int n = a.Rows;
        var (pointers, neighbours) = SymmetrizedGraph(a);
        var search = new LevelSearch(pointers, neighbours);
        var order = new int[n];
        var numbered = new bool[n];
        int count = 0;
        for (int seed = 0; seed < n; seed++)
        {
            if (numbered[seed]) continue;
            int start = search.PseudoPeripheralNode(seed);
            count = search.CuthillMcKee(start, numbered, order, count);
        }
        Array.Reverse(order);
        return new Permutation(order);
    }

    /// <summary>Adjacency of A + Aᵀ without self-loops, each list sorted and unique: the union of row i of A and of Aᵀ.</summary>
    private static (int[] Pointers, int[] Neighbours) SymmetrizedGraph(CsrMatrix a)
    {
        int n = a.Rows;
        var t = a.Transpose();
        var pointers = new int[n + 1];
        var neighbours = new int[2 * a.NonZeros];
        int write = 0;
        for (int i = 0; i < n; i++)
        {
            int p = a.RowPointers[i], pEnd = a.RowPointers[i + 1];
            int q = t.RowPointers[i], qEnd = t.RowPointers[i + 1];
            while (p < pEnd || q < qEnd)
            {
                int next;
                if (q >= qEnd || (p < pEnd && a.ColumnIndices[p] < t.ColumnIndices[q])) next = a.ColumnIndices[p++];
                else if (p >= pEnd || t.ColumnIndices[q] < a.ColumnIndices[p]) next = t.ColumnIndices[q++];
                else
                {
                    next = a.ColumnIndices[p++];
                    q++;
                }
                if (next != i) neighbours[write++] = next;
            }
            pointers[i + 1] = write;
        }
        return (pointers, neighbours);
    }

    /// <summary>Breadth-first searches over one graph, sharing their buffers across components and restarts.</summary>
    private sealed class LevelSearch(int[] pointers, int[] neighbours)
    {
        private readonly int[] _queue = new int[pointers.Length - 1];
        private readonly int[] _visitStamp = new int[pointers.Length - 1];
        private readonly List<int> _children = [];
        private Comparison<int>? _byDegree;
        private int _stamp;

        private int Degree(int node) => pointers[node + 1] - pointers[node];

        /// <summary>
        /// George–Liu: from the last level of the current root's level structure take a node of least degree; if its
        /// own level structure is deeper, it becomes the root and the step repeats, else it is pseudo-peripheral.
        /// Each repeat deepens the structure, so there are at most (diameter + 1) of them.
        /// </summary>
        public int PseudoPeripheralNode(int seed)
        {
            int root = seed;
            int depth = LevelStructure(root, out int lastLevelStart, out int size);
            while (true)
            {
                int candidate = _queue[lastLevelStart];
                for (int k = lastLevelStart + 1; k < size; k++)
                {
                    int node = _queue[k];
                    if (Degree(node) < Degree(candidate) || (Degree(node) == Degree(candidate) && node < candidate)) candidate = node;
                }
                int candidateDepth = LevelStructure(candidate, out int candidateLastStart, out int candidateSize);
                if (candidateDepth <= depth) return candidate;
                root = candidate;
                depth = candidateDepth;
                lastLevelStart = candidateLastStart;
                size = candidateSize;
            }
        }

        /// <summary>Breadth-first search from root into <see cref="_queue"/>; returns the number of levels and where the last begins.</summary>
        private int LevelStructure(int root, out int lastLevelStart, out int size)
        {
            int stamp = ++_stamp;
            _queue[0] = root;
            _visitStamp[root] = stamp;
            int levelStart = 0, levelEnd = 1, depth = 0;
            lastLevelStart = 0;
            while (levelStart < levelEnd)
            {
                depth++;
                lastLevelStart = levelStart;
                int write = levelEnd;
                for (int k = levelStart; k < levelEnd; k++)
                {
                    int node = _queue[k];
                    for (int e = pointers[node]; e < pointers[node + 1]; e++)
                    {
                        int next = neighbours[e];
                        if (_visitStamp[next] == stamp) continue;
                        _visitStamp[next] = stamp;
                        _queue[write++] = next;
                    }
                }
                levelStart = levelEnd;
                levelEnd = write;
            }
            size = levelStart;
            return depth;
        }

        /// <summary>Numbers start's component breadth-first, children by increasing degree, into order[count..]; returns the new count.</summary>
        public int CuthillMcKee(int start, bool[] numbered, int[] order, int count)
        {
            int head = count;
            order[count++] = start;
            numbered[start] = true;
            while (head < count)
            {
                int node = order[head++];
                _children.Clear();
                for (int e = pointers[node]; e < pointers[node + 1]; e++)
                {
                    int next = neighbours[e];
                    if (numbered[next]) continue;
                    numbered[next] = true;
                    _children.Add(next);
                }
                _children.Sort(_byDegree ??= (x, y) => Degree(x) != Degree(y) ? Degree(x).CompareTo(Degree(y)) : x.CompareTo(y));
                foreach (int child in _children) order[count++] = child;
            }
            return count;
        }
    }
}
