namespace LearnedSolvers.Sparse.Orderings;

/// <summary>
/// A row permutation that maximizes the product of the diagonal magnitudes, with the dual variables that prove it
/// optimal and scale the permuted matrix to |â_ii| = 1 and |â_ij| ≤ 1: MC64's job 5 (Duff and Koster, "On algorithms
/// for permuting large entries to the diagonal of a sparse matrix", SIAM J. Matrix Anal. Appl. 22(4), 2001, 973–996,
/// Sec. 4 and 6).
/// </summary>
/// <remarks>
/// With a_j = max_k |a_kj|, the costs c_ij = log a_j − log |a_ij| ≥ 0 on the nonzero entries turn the product into a
/// sum, so the permutation is a minimum-cost perfect matching of the bipartite graph of rows and columns. Columns
/// are matched one at a time by shortest augmenting paths: Dijkstra's algorithm with a binary heap over the reduced
/// costs c_ij − u_i − v_j ≥ 0 (the Hungarian method in the form of Duff and Koster, Sec. 4). After each augmentation
/// the duals move by the path lengths, which keeps every reduced cost ≥ 0 and those of matched entries 0. At the end
/// |a_ij| · exp(u_i) · exp(v_j) / a_j = exp(−(c_ij − u_i − v_j)) is ≤ 1 everywhere and 1 on the matching; that gives
/// <see cref="RowScaling"/> and <see cref="ColumnScaling"/>. The initial duals (v_j = 0, u_i = min_j c_ij) and a
/// greedy match of each column to a free row at reduced cost 0 are Duff and Koster's: columns matched there need no
/// search. Explicitly stored zeros are not entries of the graph.
/// </remarks>
public sealed class MaximumWeightMatching
{
    private MaximumWeightMatching(Permutation rows, double[] rowDuals, double[] columnDuals, double[] columnMaxima)
    {
        RowPermutation = rows;
        RowDuals = rowDuals;
        ColumnDuals = columnDuals;
        RowScaling = new double[rowDuals.Length];
        ColumnScaling = new double[columnDuals.Length];
        for (int i = 0; i < rowDuals.Length; i++) RowScaling[i] = Math.Exp(rowDuals[i]);
        for (int j = 0; j < columnDuals.Length; j++) ColumnScaling[j] = Math.Exp(columnDuals[j]) / columnMaxima[j];
    }

    /// <summary>
    /// Rows new → old: row <c>RowPermutation[j]</c> is matched to column j, so
    /// <c>Permutation.PermuteMatrix(a, RowPermutation, null)</c> has the matched entries on its diagonal.
    /// </summary>
    public Permutation RowPermutation { get; }

    /// <summary>u_i per original row: c_ij − u_i − v_j ≥ 0 on every nonzero entry, with equality on the matching.</summary>
    public double[] RowDuals { get; }

    /// <summary>v_j per column, as in <see cref="RowDuals"/>.</summary>
    public double[] ColumnDuals { get; }

    /// <summary>
    /// D_r = exp(u) per original row. With <see cref="ColumnScaling"/>, D_r A D_c has |entry| ≤ 1 everywhere and 1 on
    /// the matched entries (up to rounding). Overflows to infinity only when the magnitudes of A span more than the
    /// double range.
    /// </summary>
    public double[] RowScaling { get; }

    /// <summary>D_c = exp(v_j) / max_k |a_kj| per column.</summary>
    public double[] ColumnScaling { get; }

    /// <summary>Finds the matching and its duals.</summary>
    /// <exception cref="ArgumentException">The matrix is not square.</exception>
    /// <exception cref="StructurallySingularException">No row permutation puts a nonzero on every diagonal position.</exception>
    public static MaximumWeightMatching Find(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"A maximum-weight matching of rows to columns needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        return new Search(a).Run();
    }

    /// <summary>The state of the successive shortest path search: the column-wise graph, its costs, duals and matching.</summary>
    private sealed class Search
    {
        private readonly int _n;
        private readonly int[] _columnPointers, _rowIndices;   // A by columns (Aᵀ in CSR)
        private readonly double[] _costs;                      // c_ij for each entry of a column; +∞ for a stored zero
        private readonly double[] _columnMaxima;
        private readonly double[] _u, _v;
        private readonly int[] _rowOfColumn, _columnOfRow;     // −1 when unmatched

        // Dijkstra's work arrays, reset through the list of rows each search touched.
        private readonly double[] _distance;
        private readonly int[] _reachedFrom;
        private readonly bool[] _settled;
        private readonly List<int> _touched = [];
        private readonly List<int> _settledRows = [];
        private readonly IndexedMinHeap _heap;

        public Search(CsrMatrix a)
        {
            _n = a.Rows;
            var byColumn = a.Transpose();
            _columnPointers = byColumn.RowPointers;
            _rowIndices = byColumn.ColumnIndices;
            _costs = new double[byColumn.NonZeros];
            _columnMaxima = new double[_n];
            _u = new double[_n];
            _v = new double[_n];
            _rowOfColumn = new int[_n];
            _columnOfRow = new int[_n];
            _distance = new double[_n];
            _reachedFrom = new int[_n];
            _settled = new bool[_n];
            _heap = new IndexedMinHeap(_n);
            Array.Fill(_rowOfColumn, -1);
            Array.Fill(_columnOfRow, -1);
            Array.Fill(_distance, double.PositiveInfinity);

            for (int j = 0; j < _n; j++)
            {
                double max = 0;
                for (int k = _columnPointers[j]; k < _columnPointers[j + 1]; k++) max = Math.Max(max, Math.Abs(byColumn.Values[k]));
                _columnMaxima[j] = max;
                double logMax = Math.Log(max);
                for (int k = _columnPointers[j]; k < _columnPointers[j + 1]; k++)
                {
                    double magnitude = Math.Abs(byColumn.Values[k]);
                    _costs[k] = magnitude > 0 ? Math.Max(0, logMax - Math.Log(magnitude)) : double.PositiveInfinity;
                }
            }
        }

        public MaximumWeightMatching Run()
        {
            InitialDualsAndGreedyMatch();
            int matched = 0, firstUnmatched = -1;
            for (int j = 0; j < _n; j++)
            {
                if (_rowOfColumn[j] < 0 && !Augment(j))
                {
                    // A column with no augmenting path now has none after later augmentations either (Berge), so
                    // going on still yields a maximum matching, whose size the exception reports.
                    if (firstUnmatched < 0) firstUnmatched = j;
                    continue;
                }
                matched++;
            }
            if (matched < _n) throw new StructurallySingularException(_n, matched, firstUnmatched);
            return new MaximumWeightMatching(new Permutation(_rowOfColumn), _u, _v, _columnMaxima);
        }

        /// <summary>v_j = min_i c_ij = 0; u_i = min_j c_ij; then each column takes a free row at reduced cost 0.</summary>
        private void InitialDualsAndGreedyMatch()
        {
            Array.Fill(_u, double.PositiveInfinity);
            for (int k = 0; k < _costs.Length; k++)
                if (_costs[k] < _u[_rowIndices[k]]) _u[_rowIndices[k]] = _costs[k];
            for (int i = 0; i < _n; i++)
                if (double.IsPositiveInfinity(_u[i])) _u[i] = 0; // an empty row: never reached, so its dual is never read
            for (int j = 0; j < _n; j++)
            {
                for (int k = _columnPointers[j]; k < _columnPointers[j + 1]; k++)
                {
                    int i = _rowIndices[k];
                    if (_columnOfRow[i] >= 0 || _costs[k] - _u[i] > 0) continue;
                    _rowOfColumn[j] = i;
                    _columnOfRow[i] = j;
                    break;
                }
            }
        }

        /// <summary>
        /// Dijkstra from the free column <paramref name="start"/> over rows, by reduced costs (a matched row leads on
        /// to its column at cost 0), until a free row is settled; then the duals and the matching along the path.
        /// </summary>
        private bool Augment(int start)
        {
            Relax(start, 0);
            int freeRow = -1;
            double length = 0;
            while (_heap.Count > 0)
            {
                int row = _heap.PopMin(out double distance);
                _settled[row] = true;
                _settledRows.Add(row);
                if (_columnOfRow[row] < 0)
                {
                    freeRow = row;
                    length = distance;
                    break;
                }
                Relax(_columnOfRow[row], distance);
            }

            if (freeRow >= 0)
            {
                // Potentials p = (−v for columns, u for rows) shifted by min(distance, length) − length keep every
                // reduced cost ≥ 0 and make the path's costs 0; only settled rows and their columns move.
                _v[start] += length;
                foreach (int row in _settledRows)
                {
                    double shift = length - _distance[row];
                    _u[row] -= shift;
                    int column = _columnOfRow[row];
                    if (column >= 0) _v[column] += shift;
                }
                for (int row = freeRow; ;)
                {
                    int column = _reachedFrom[row];
                    int previous = _rowOfColumn[column];
                    _rowOfColumn[column] = row;
                    _columnOfRow[row] = column;
                    if (column == start) break;
                    row = previous;
                }
            }

            foreach (int row in _touched)
            {
                _distance[row] = double.PositiveInfinity;
                _settled[row] = false;
            }
            _touched.Clear();
            _settledRows.Clear();
            _heap.Clear();
            return freeRow >= 0;
        }

        /// <summary>Offers every unsettled row of <paramref name="column"/> the distance through it.</summary>
        private void Relax(int column, double distanceToColumn)
        {
            double vj = _v[column];
            for (int k = _columnPointers[column]; k < _columnPointers[column + 1]; k++)
            {
                int row = _rowIndices[k];
                if (_settled[row] || double.IsPositiveInfinity(_costs[k])) continue;
                // Reduced costs are ≥ 0 in exact arithmetic; rounding in the dual updates may leave −1e-16.
                double candidate = distanceToColumn + Math.Max(0, _costs[k] - _u[row] - vj);
                if (candidate >= _distance[row]) continue;
                if (double.IsPositiveInfinity(_distance[row])) _touched.Add(row);
                _distance[row] = candidate;
                _reachedFrom[row] = column;
                _heap.InsertOrDecrease(row, candidate);
            }
        }
    }

    /// <summary>A binary min-heap of the indices 0..n−1 keyed by distance, with decrease-key through a position map.</summary>
    private sealed class IndexedMinHeap(int capacity)
    {
        private readonly int[] _items = new int[capacity];
        private readonly double[] _keys = new double[capacity];
        private readonly int[] _position = CreatePositions(capacity);

        public int Count { get; private set; }

        private static int[] CreatePositions(int n)
        {
            var p = new int[n];
            Array.Fill(p, -1);
            return p;
        }

        public void InsertOrDecrease(int item, double key)
        {
            int at = _position[item];
            if (at < 0)
            {
                at = Count++;
                _items[at] = item;
                _position[item] = at;
            }
            _keys[at] = key;
            SiftUp(at);
        }

        public int PopMin(out double key)
        {
            int top = _items[0];
            key = _keys[0];
            _position[top] = -1;
            Count--;
            if (Count > 0)
            {
                Place(_items[Count], _keys[Count], 0);
                SiftDown(0);
            }
            return top;
        }

        public void Clear()
        {
            for (int k = 0; k < Count; k++) _position[_items[k]] = -1;
            Count = 0;
        }

        private void SiftUp(int at)
        {
            int item = _items[at];
            double key = _keys[at];
            while (at > 0)
            {
                int parent = (at - 1) / 2;
                if (_keys[parent] <= key) break;
                Place(_items[parent], _keys[parent], at);
                at = parent;
            }
            Place(item, key, at);
        }

        private void SiftDown(int at)
        {
            int item = _items[at];
            double key = _keys[at];
            while (true)
            {
                int child = 2 * at + 1;
                if (child >= Count) break;
                if (child + 1 < Count && _keys[child + 1] < _keys[child]) child++;
                if (_keys[child] >= key) break;
                Place(_items[child], _keys[child], at);
                at = child;
            }
            Place(item, key, at);
        }

        private void Place(int item, double key, int at)
        {
            _items[at] = item;
            _keys[at] = key;
            _position[item] = at;
        }
    }
}
