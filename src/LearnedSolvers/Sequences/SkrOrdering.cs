using LearnedSolvers.Problems;

namespace LearnedSolvers.Sequences;

/// <summary>What "close" means when ordering a sequence of systems.</summary>
public enum SequenceDistance
{
    /// <summary>‖φ_i − φ_j‖₂ of the coefficient fields (<see cref="LinearSystem.Coefficients"/>), as in SKR's experiments.</summary>
    CoefficientField,

    /// <summary>
    /// ‖A_i − A_j‖_F: the stored values, compared entry by entry over the union of the matrices' patterns (an entry
    /// one matrix does not store counts as zero there). The matrices must have the same size.
    /// </summary>
    MatrixValues,

    /// <summary>‖b_i − b_j‖₂ of the right-hand sides.</summary>
    RightHandSide,
}

/// <summary>An order of a sequence and what it costs: the sum of distances between neighbours.</summary>
/// <param name="Order">Order[t] is the index (in the input) of the t-th system to solve.</param>
/// <param name="TotalDistance">Σ_t d(Order[t], Order[t+1]).</param>
/// <param name="NaturalDistance">The same sum for the input order, to compare against.</param>
public sealed record SequenceOrder(int[] Order, double TotalDistance, double NaturalDistance);

/// <summary>
/// SKR's sorting step (Wang et al., "Accelerating PDE data generation via differential operator action in solution
/// space" / Sorting Krylov Recycling, ICLR 2024): greedy nearest neighbour from the first system, appending the closest
/// unsorted one each time, so that consecutive systems are similar and a recycled Krylov subspace stays useful.
/// Large sets are sorted in consecutive groups (the paper's 10³..10⁴), keeping the cost O(N · group · d).
/// </summary>
public static class SkrOrdering
{
    /// <summary>Orders feature vectors (all the same length) by greedy nearest neighbour under the Euclidean distance.</summary>
    /// <param name="features">One vector per system.</param>
    /// <param name="groupSize">Sort within consecutive groups of this many systems and concatenate (≥ 2).</param>
    public static SequenceOrder Order(IReadOnlyList<double[]> features, int groupSize = 5000)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentOutOfRangeException.ThrowIfLessThan(groupSize, 2);
        int count = features.Count;
        for (int i = 0; i < count; i++)
        {
            if (features[i] is null) throw new ArgumentException($"Feature vector {i} is null.", nameof(features));
            if (features[i].Length != features[0].Length)
                throw new ArgumentException($"Feature vector {i} has length {features[i].Length}; vector 0 has {features[0].Length}.", nameof(features));
            if (features[i].AsSpan().ContainsAnyExceptInRange(double.MinValue, double.MaxValue))
                throw new ArgumentException($"Feature vector {i} contains NaN or infinity.", nameof(features));
        }
        var order = new int[count];
        var taken = new bool[count];
        var lockObject = new object();
        double total = 0;
        for (int groupStart = 0; groupStart < count; groupStart += groupSize)
        {
            int groupEnd = Math.Min(count, groupStart + groupSize);
            int current = groupStart;
            order[groupStart] = current;
            taken[current] = true;
            if (groupStart > 0) total += Distance(features[order[groupStart - 1]], features[current]);
            for (int t = groupStart + 1; t < groupEnd; t++)
            {
                int best = -1;
                double bestDistance = double.PositiveInfinity;
                // Candidates are independent: the scan is parallel, the tie-break (smallest index) deterministic.
                int from = current;
                Parallel.For(groupStart, groupEnd, () => (Index: -1, Distance: double.PositiveInfinity), (j, _, local) =>
                {
                    if (taken[j]) return local;
                    double d = Distance(features[from], features[j]);
                    return local.Index < 0 || d < local.Distance || (d == local.Distance && j < local.Index) ? (j, d) : local;
                }, local =>
                {
                    lock (lockObject)
                    {
                        if (local.Index >= 0 && (best < 0 || local.Distance < bestDistance || (local.Distance == bestDistance && local.Index < best)))
                        {
                            best = local.Index;
                            bestDistance = local.Distance;
                        }
                    }
                });
                order[t] = best;
                taken[best] = true;
                total += bestDistance;
                current = best;
            }
        }
        double natural = 0;
        for (int t = 0; t + 1 < count; t++) natural += Distance(features[t], features[t + 1]);
        return new SequenceOrder(order, total, natural);
    }

    /// <summary>Orders generated systems by the chosen distance.</summary>
    /// <exception cref="ArgumentException">A system lacks a coefficient field, or the matrices differ in size.</exception>
    public static SequenceOrder Order(IReadOnlyList<LinearSystem> systems, SequenceDistance distance = SequenceDistance.CoefficientField, int groupSize = 5000)
    {
        ArgumentNullException.ThrowIfNull(systems);
        if (distance == SequenceDistance.MatrixValues) return Order(MatrixValueFeatures(systems), groupSize);
        var features = new double[systems.Count][];
        for (int i = 0; i < systems.Count; i++)
        {
            var s = systems[i];
            features[i] = distance switch
            {
                SequenceDistance.CoefficientField => s.Coefficients
                    ?? throw new ArgumentException($"System {i} ('{s.Description}') has no coefficient field; order by matrix values or right-hand side instead.", nameof(systems)),
                SequenceDistance.RightHandSide => s.RightHandSide,
                _ => throw new ArgumentOutOfRangeException(nameof(distance), distance, "Unknown distance."),
            };
        }
        return Order(features, groupSize);
    }

    /// <summary>
    /// Each matrix's values laid out on the union of all patterns, so that the Euclidean distance of two features is
    /// ‖A_i − A_j‖_F. One shared pattern (a generated family) needs no union: the stored values are the features.
    /// </summary>
    private static double[][] MatrixValueFeatures(IReadOnlyList<LinearSystem> systems)
    {
        var features = new double[systems.Count][];
        if (systems.Count == 0) return features;
        var first = systems[0].Matrix;
        bool shared = true;
        for (int i = 0; i < systems.Count; i++)
        {
            var a = systems[i].Matrix;
            if (a.Rows != first.Rows || a.Columns != first.Columns)
                throw new ArgumentException($"System {i} is {a.Rows} x {a.Columns}; system 0 is {first.Rows} x {first.Columns}: matrix-value distance needs one size.", nameof(systems));
            shared &= first.HasSamePattern(a);
        }
        if (shared)
        {
            for (int i = 0; i < systems.Count; i++) features[i] = systems[i].Matrix.Values.AsSpan(0, first.NonZeros).ToArray();
            return features;
        }
        // Union pattern, row by row: the sorted distinct columns any matrix stores in that row.
        var rowPointers = new int[first.Rows + 1];
        var columns = new List<int>();
        var row = new SortedSet<int>();
        for (int r = 0; r < first.Rows; r++)
        {
            row.Clear();
            foreach (var s in systems)
                for (int k = s.Matrix.RowPointers[r]; k < s.Matrix.RowPointers[r + 1]; k++) row.Add(s.Matrix.ColumnIndices[k]);
            columns.AddRange(row);
            rowPointers[r + 1] = columns.Count;
        }
        for (int i = 0; i < systems.Count; i++)
        {
            var a = systems[i].Matrix;
            var feature = new double[columns.Count];
            for (int r = 0; r < a.Rows; r++)
            {
                int u = rowPointers[r];
                for (int k = a.RowPointers[r]; k < a.RowPointers[r + 1]; k++)
                {
                    while (columns[u] != a.ColumnIndices[k]) u++; // both sorted, and the union holds every column of a
                    feature[u] = a.Values[k];
                }
            }
            features[i] = feature;
        }
        return features;
    }

    private static double Distance(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = x[i] - y[i];
            s += d * d;
        }
        return double.IsFinite(s) ? Math.Sqrt(s) : ScaledDistance(x, y);
    }

    /// <summary>
    /// The same distance for finite features whose squares overflow (coefficients near 1e155 and beyond): each
    /// difference is scaled by the largest, halved first so that the difference itself cannot overflow. Infinity only
    /// when the distance itself exceeds double range.
    /// </summary>
    private static double ScaledDistance(double[] x, double[] y)
    {
        double scale = 0;
        for (int i = 0; i < x.Length; i++) scale = Math.Max(scale, Math.Abs(0.5 * x[i] - 0.5 * y[i]));
        if (scale == 0) return 0;
        double s = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double d = (0.5 * x[i] - 0.5 * y[i]) / scale;
            s += d * d;
        }
        return 2 * scale * Math.Sqrt(s);
    }
}
