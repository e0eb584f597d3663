using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Classical (Ruge–Stüben) algebraic multigrid for SPD M-matrix-like problems (Ruge and Stüben 1987; Stüben,
/// "Algebraic multigrid: an introduction with applications", 2001, §A.4–A.7): strong couplings −a_ij ≥ θ max_k(−a_ik),
/// a first-pass C/F splitting that picks points by how many others depend on them, direct interpolation from the
/// strongly connected C points (with separate scaling of negative and positive couplings), and Galerkin coarse
/// operators. Interpolation follows the strong couplings only, so it does not smear across coefficient jumps: the
/// choice for discontinuous high-contrast diffusion, where smoothed aggregation needs twice as many iterations.
/// </summary>
public static class ClassicalAmg
{
    /// <summary>The options used when none are given: the shared defaults with θ = 0.25, the usual choice for 2D problems.</summary>
    public static MultigridOptions DefaultOptions { get; } = new() { StrengthThreshold = 0.25 };

    /// <summary>Builds the hierarchy; <see cref="MultigridOptions.StrengthThreshold"/> is θ, and null options are <see cref="DefaultOptions"/>.</summary>
    public static MultigridHierarchy Build(CsrMatrix a, MultigridOptions? options = null, Device? device = null) => Build(a, options, device, uploaded: null);

    /// <summary>
    /// The hierarchy for a matrix already on its device: the finest level uses <paramref name="a"/> itself (no second
    /// copy of A), and the caller keeps ownership of it. Null options are <see cref="DefaultOptions"/>.
    /// </summary>
    public static MultigridHierarchy Build(DeviceCsrMatrix a, MultigridOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(a);
        return Build(a.Host, options, a.Device, a);
    }

    private static MultigridHierarchy Build(CsrMatrix a, MultigridOptions? options, Device? device, DeviceCsrMatrix? uploaded)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"AMG needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        options ??= DefaultOptions;
        options.Validate();
        var clock = Stopwatch.StartNew();
        var matrices = new List<CsrMatrix> { a };
        var prolongations = new List<CsrMatrix>();
        while (matrices.Count < options.MaxLevels && matrices[^1].Rows > options.CoarseSize)
        {
            var level = matrices[^1];
            var strong = StrongCouplings(level, options.StrengthThreshold);
            var coarse = Split(level, strong, out int coarseCount);
            if (coarseCount == 0 || coarseCount >= level.Rows) break;
            var p = DirectInterpolation(level, strong, coarse, coarseCount);
            prolongations.Add(p);
            matrices.Add(SparseProduct.Galerkin(level, p));
        }
        return new MultigridHierarchy(matrices, prolongations, options, device ?? Device.Cpu, "classical (Ruge–Stüben)", clock.Elapsed, uploaded);
    }

    /// <summary>strong[k] for each stored entry k: an off-diagonal with −a_ij ≥ θ max_{l≠i}(−a_il).</summary>
    internal static bool[] StrongCouplings(CsrMatrix a, double threshold)
    {
        var strong = new bool[a.NonZeros];
        for (int i = 0; i < a.Rows; i++)
        {
            double largest = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                if (a.ColumnIndices[k] != i) largest = Math.Max(largest, -a.Values[k]);
            if (largest <= 0) continue;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                strong[k] = a.ColumnIndices[k] != i && -a.Values[k] >= threshold * largest;
        }
        return strong;
    }

    /// <summary>
    /// First-pass Ruge–Stüben splitting: λ_i = number of points strongly depending on i; repeatedly make the point
    /// of largest λ a C point, the points depending on it F points, and raise λ of the undecided points those F points
    /// depend on. Returns coarse[i] = index among C points, or −1 for an F point.
    /// </summary>
    internal static int[] Split(CsrMatrix a, bool[] strong, out int coarseCount)
    {
        int n = a.Rows;
        var st = StrongTranspose(a, strong); // row j lists the i with j ∈ S_i (the points that depend on j)
        var lambda = new int[n];
        for (int j = 0; j < n; j++) lambda[j] = st.RowPointers[j + 1] - st.RowPointers[j];
        const int Undecided = 0, C = 1, F = 2;
        var state = new int[n];
        // A bucket queue on λ (λ ≤ 2n during the pass): O(nnz) overall.
        int maxLambda = 2 * n + 2;
        var head = new int[maxLambda + 1];
        var next = new int[n];
        var prev = new int[n];
        Array.Fill(head, -1);
        void Insert(int i)
        {
            int l = Math.Min(lambda[i], maxLambda);
            prev[i] = -1;
            next[i] = head[l];
            if (head[l] >= 0) prev[head[l]] = i;
            head[l] = i;
        }
        void Remove(int i)
        {
            int l = Math.Min(lambda[i], maxLambda);
            if (prev[i] >= 0) next[prev[i]] = next[i];
            else head[l] = next[i];
            if (next[i] >= 0) prev[next[i]] = prev[i];
        }
        for (int i = 0; i < n; i++)
        {
            bool hasStrong = false;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) hasStrong |= strong[k];
            if (!hasStrong && lambda[i] == 0) state[i] = F; // isolated: the smoother alone handles it
            else Insert(i);
        }
        int top = maxLambda;
        while (true)
        {
            while (top >= 0 && head[top] < 0) top--;
            if (top < 0) break;
            int c = head[top];
            Remove(c);
            state[c] = C;
            for (int k = st.RowPointers[c]; k < st.RowPointers[c + 1]; k++)
            {
                int f = st.ColumnIndices[k];
                if (state[f] != Undecided) continue;
                Remove(f);
                state[f] = F;
                for (int kk = a.RowPointers[f]; kk < a.RowPointers[f + 1]; kk++)
                {
                    int j = a.ColumnIndices[kk];
                    if (!strong[kk] || state[j] != Undecided) continue;
                    Remove(j);
                    lambda[j]++;
                    Insert(j);
                    top = Math.Max(top, Math.Min(lambda[j], maxLambda));
                }
            }
        }
        var coarse = new int[n];
        coarseCount = 0;
        for (int i = 0; i < n; i++) coarse[i] = state[i] == C ? coarseCount++ : -1;
        return coarse;
    }

    /// <summary>
    /// P: identity on C points; for an F point i, w_ij = −α a_ij / a_ii for strong C neighbours j with a_ij &lt; 0
    /// (β for a_ij &gt; 0), α (β) = sum of all negative (positive) off-diagonals over those reaching interpolation
    /// points, so rows of P reproduce constants where A's row sums vanish (Stüben 2001, eq. A.7.4). Positive
    /// couplings without a positive interpolation point are added to the diagonal.
    /// </summary>
    internal static CsrMatrix DirectInterpolation(CsrMatrix a, bool[] strong, int[] coarse, int coarseCount)
    {
        int n = a.Rows;
        var rowPointers = new int[n + 1];
        var columns = new List<int>(n * 2);
        var values = new List<double>(n * 2);
        for (int i = 0; i < n; i++)
        {
            if (coarse[i] >= 0)
            {
                columns.Add(coarse[i]);
                values.Add(1);
                rowPointers[i + 1] = columns.Count;
                continue;
            }
            double diagonal = 0, negAll = 0, posAll = 0, negC = 0, posC = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                double v = a.Values[k];
                if (j == i)
                {
                    diagonal = v;
                    continue;
                }
                if (v < 0) negAll += v;
                else posAll += v;
                if (strong[k] && coarse[j] >= 0)
                {
                    if (v < 0) negC += v;
                    else posC += v;
                }
            }
            if (posC == 0) diagonal += posAll; // no positive interpolation point: lump positive couplings
            double alpha = negC != 0 ? negAll / negC : 0;
            double beta = posC != 0 ? posAll / posC : 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
            {
                int j = a.ColumnIndices[k];
                if (j == i || !strong[k] || coarse[j] < 0) continue;
                double v = a.Values[k];
                columns.Add(coarse[j]);
                values.Add(-(v < 0 ? alpha : beta) * v / diagonal);
            }
            // Columns follow A's sorted order and coarse numbering is increasing in the fine index: already sorted.
            rowPointers[i + 1] = columns.Count;
        }
        return CsrMatrix.Trusted(n, coarseCount, rowPointers, columns.ToArray(), values.ToArray());
    }

    private static CsrMatrix StrongTranspose(CsrMatrix a, bool[] strong)
    {
        int n = a.Rows;
        var rp = new int[n + 1];
        for (int k = 0; k < a.NonZeros; k++) if (strong[k]) rp[a.ColumnIndices[k] + 1]++;
        for (int j = 0; j < n; j++) rp[j + 1] += rp[j];
        var fill = rp.AsSpan(0, n).ToArray();
        var ci = new int[rp[n]];
        for (int i = 0; i < n; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                if (strong[k]) ci[fill[a.ColumnIndices[k]]++] = i;
        return CsrMatrix.Trusted(n, n, rp, ci, new double[rp[n]]);
    }
}
