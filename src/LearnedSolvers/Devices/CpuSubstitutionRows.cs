using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Runtime.InteropServices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Devices;

/// <summary>
/// A triangular matrix's rows laid out for substitution on the CPU: each off-diagonal entry divided by its row's
/// diagonal, and the entry on the row solved just before (column i − 1 of a lower, i + 1 of an upper matrix) kept apart
/// from the others ("far" entries), so that row i computes
/// <code>x_i = fma(−n_i, x_{i∓1}, b_i / t_ii − Σ_far (t_ij / t_ii) x_j)</code>
/// <para>
/// Why: in a row-order sweep, x_{i∓1} was written a few nanoseconds before and every row waits for it. Reading it back
/// from memory and dividing afterwards (b_i − Σ t_ij x_j, then × 1/t_ii) put a store-to-load forward, a multiply, a
/// subtraction and another multiply on that chain; here it is one fused multiply-add on a value still in a register.
/// A 1M-row 2D Poisson IC(0) sweep went from 5.7 to 2.7 ms per factor on one core (and single precision then gains
/// little: the chain, not memory, bounds it).
/// </para>
/// <para>
/// A value below <see cref="FlushBelow"/> times the largest |b_i| is stored as zero. A right-hand side that is zero on
/// most rows (early CG residuals of b = A·1 vanish inside the domain) makes the substitution's values decay
/// geometrically away from its support into subnormal numbers, which cost this CPU a microcode assist per operation:
/// the IC(0) application of a 1M 2D Poisson factor took 11.6 ms in double and 168 ms in float on such a vector against
/// 5.1 ms on a dense one. Terms 2⁻²⁰⁰ (double) or 2⁻⁶⁰ (float) below the largest input change nothing the precision
/// can represent.
/// </para>
/// <para>
/// Every solve order on the CPU uses this arithmetic, so they agree to the bit. <typeparamref name="T"/> is double, or
/// float for a preconditioner applied in single precision (the values are rounded once, from the double quotients).
/// </para>
/// </summary>
internal sealed class CpuSubstitutionRows<T> where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>Values below this fraction of max |b_i| are flushed to zero (see the remarks).</summary>
    internal static readonly T FlushBelow = T.ScaleB(T.One, typeof(T) == typeof(float) ? -60 : -200);

    private readonly TriangularMatrix _host;
    private readonly int[] _farStarts;
    private readonly int[] _farColumns;
    private readonly T[] _farValues;
    private readonly T[] _neighbour;
    private readonly T[] _inverseDiagonal;
    private readonly ScanBlocks? _scan;

    /// <summary>How many blocks of rows the sweep solves by the prefix scan (0 where it takes every row alone).</summary>
    internal int ScanBlockCount => _scan?.Qualified ?? 0;

    internal CpuSubstitutionRows(TriangularMatrix host)
    {
        _host = host;
        int n = host.Size;
        int[] rowPointers = host.RowPointers, columns = host.ColumnIndices;
        int skipFirst = host.DiagonalFirst, skipLast = host.DiagonalLast, step = host.IsLower ? -1 : 1;
        // Every row but the first solved has its neighbour entry in a factor on a stencil's pattern; count those that do.
        int neighbours = 0;
        for (int i = 0; i < n; i++)
        {
            int first = rowPointers[i] + skipFirst, last = rowPointers[i + 1] - skipLast - 1;
            if (last >= first && columns[host.IsLower ? last : first] == i + step) neighbours++;
        }
        int off = rowPointers[n] - (host.HasUnitDiagonal ? 0 : n);
        var farStarts = new int[n + 1];
        var farColumns = new int[off - neighbours];
        for (int i = 0, f = 0; i < n; i++)
        {
            int end = rowPointers[i + 1] - skipLast;
            for (int k = rowPointers[i] + skipFirst; k < end; k++)
                if (columns[k] != i + step) farColumns[f++] = columns[k];
            farStarts[i + 1] = f;
        }
        _farStarts = farStarts;
        _farColumns = farColumns;
        _farValues = new T[farColumns.Length];
        _neighbour = new T[n];
        _inverseDiagonal = new T[n];
        _scan = ScanBlocks.Build(host, farStarts, farColumns);
        UpdateValues();
    }

    /// <summary>Takes the values now in the host matrix (same pattern).</summary>
    /// <exception cref="Preconditioners.ZeroPivotException">A stored diagonal entry is zero.</exception>
    internal void UpdateValues()
    {
        var host = _host;
        int[] rowPointers = host.RowPointers, columns = host.ColumnIndices;
        double[] values = host.Values;
        T[] farValues = _farValues, neighbour = _neighbour, inverseDiagonal = _inverseDiagonal;
        int skipFirst = host.DiagonalFirst, skipLast = host.DiagonalLast, step = host.IsLower ? -1 : 1;
        for (int i = 0, f = 0; i < host.Size; i++)
        {
            double inverse = host.InverseDiagonal(i);
            T rounded = T.CreateTruncating(inverse);
            if (!T.IsFinite(rounded)) throw new ZeroPivotException(nameof(TriangularMatrix), i, 1 / inverse);
            inverseDiagonal[i] = rounded;
            T near = T.Zero;
            int end = rowPointers[i + 1] - skipLast;
            for (int k = rowPointers[i] + skipFirst; k < end; k++)
            {
                if (columns[k] == i + step) near = T.CreateTruncating(values[k] * inverse);
                else farValues[f++] = T.CreateTruncating(values[k] * inverse);
            }
            neighbour[i] = near;
        }
        _scan?.Fill(_farValues);
    }

    /// <summary>The flush threshold of a solve with right-hand side <paramref name="b"/>: <see cref="FlushBelow"/> · max |b_i|.</summary>
    internal static T Threshold(ReadOnlySpan<T> b)
    {
        T max = T.Zero;
        int i = 0;
        if (Vector512.IsHardwareAccelerated && b.Length >= 4 * Vector512<T>.Count)
        {
            // Four independent maxima: one chain of vector max operations bound the pass, not memory.
            int w = Vector512<T>.Count;
            ref T br = ref MemoryMarshal.GetReference(b);
            Vector512<T> m0 = Vector512<T>.Zero, m1 = m0, m2 = m0, m3 = m0;
            for (; i <= b.Length - 4 * w; i += 4 * w)
            {
                m0 = Vector512.Max(m0, Vector512.Abs(Vector512.LoadUnsafe(ref br, (nuint)i)));
                m1 = Vector512.Max(m1, Vector512.Abs(Vector512.LoadUnsafe(ref br, (nuint)(i + w))));
                m2 = Vector512.Max(m2, Vector512.Abs(Vector512.LoadUnsafe(ref br, (nuint)(i + 2 * w))));
                m3 = Vector512.Max(m3, Vector512.Abs(Vector512.LoadUnsafe(ref br, (nuint)(i + 3 * w))));
            }
            var m = Vector512.Max(Vector512.Max(m0, m1), Vector512.Max(m2, m3));
            for (int k = 0; k < w; k++) max = T.Max(max, m[k]);
        }
        else if (Vector.IsHardwareAccelerated && b.Length >= Vector<T>.Count)
        {
            var m = Vector<T>.Zero;
            var vectors = MemoryMarshal.Cast<T, Vector<T>>(b);
            foreach (var v in vectors) m = Vector.Max(m, Vector.Abs(v));
            for (int k = 0; k < Vector<T>.Count; k++) max = T.Max(max, m[k]);
            i = vectors.Length * Vector<T>.Count;
        }
        for (; i < b.Length; i++) max = T.Max(max, T.Abs(b[i]));
        return max * FlushBelow;
    }

    /// <summary>
    /// All rows in solve order (top down for a lower, bottom up for an upper matrix), x_{i∓1} carried in a register; blocks
    /// of rows that qualify (<see cref="ScanBlocks"/>) solved as one vector by a parallel prefix.
    /// </summary>
    /// <param name="b">The right-hand side.</param>
    /// <param name="x">The solution; may be <paramref name="b"/>.</param>
    /// <param name="threshold">Values of smaller magnitude are stored as zero: <see cref="Threshold"/> of b, taken before x is written.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Sweep(ReadOnlySpan<T> b, Span<T> x, T threshold)
    {
        int n = _host.Size;
        if (b.Length != n || x.Length != n) throw new ArgumentException($"b has {b.Length} and x {x.Length} elements; the matrix has {n} rows.");
        if (n == 0) return;
        if (_scan is null)
        {
            Rows(b, x, threshold, 0, n, T.Zero);
            return;
        }
        _scan.Sweep(this, b, x, threshold);
    }

    /// <summary>
    /// The rows in solve order from position <paramref name="first"/> to <paramref name="last"/> − 1 (positions count in
    /// solve order: row i for a lower, row n − 1 − i for an upper matrix), x_{i∓1} carried in a register starting from
    /// <paramref name="previous"/>; returns the last x.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private T Rows(ReadOnlySpan<T> b, Span<T> x, T threshold, int first, int last, T previous)
    {
        int n = _host.Size;
        // Unchecked references: the spans' lengths are checked by the caller and the far pattern was checked with the
        // host matrix; bounds checks on every access spilled the loop's registers to the stack.
        ref int starts = ref MemoryMarshal.GetArrayDataReference(_farStarts);
        ref int columns = ref MemoryMarshal.GetArrayDataReference(_farColumns);
        ref T values = ref MemoryMarshal.GetArrayDataReference(_farValues);
        ref T neighbour = ref MemoryMarshal.GetArrayDataReference(_neighbour);
        ref T inverseDiagonal = ref MemoryMarshal.GetArrayDataReference(_inverseDiagonal);
        ref T br = ref MemoryMarshal.GetReference(b);
        ref T xr = ref MemoryMarshal.GetReference(x);
        bool lower = _host.IsLower;
        int step = lower ? 1 : -1, i = lower ? first : n - 1 - first;
        // Row i's first row solved has no neighbour entry (n_i = 0), so the 0 carried into it adds nothing.
        for (int r = first; r < last; r++, i += step)
        {
            T s = Unsafe.Add(ref br, i) * Unsafe.Add(ref inverseDiagonal, i);
            int end = Unsafe.Add(ref starts, i + 1);
            for (int k = Unsafe.Add(ref starts, i); k < end; k++)
                s -= Unsafe.Add(ref values, k) * Unsafe.Add(ref xr, Unsafe.Add(ref columns, k));
            previous = T.FusedMultiplyAdd(-Unsafe.Add(ref neighbour, i), previous, s);
            if (T.Abs(previous) < threshold) previous = T.Zero; // a predictable branch: values decay into this and stay
            Unsafe.Add(ref xr, i) = previous;
        }
        return previous;
    }

    /// <summary>
    /// The rows listed in rows[start … end), in that order, each with <see cref="Sweep"/>'s arithmetic; x_{i∓1} is read
    /// from memory, and only where row i holds that entry (it may not be solved yet otherwise).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void SolveRows(int[] rows, int start, int end, ReadOnlySpan<T> b, Span<T> x, T threshold)
    {
        int step = _host.IsLower ? -1 : 1;
        int[] starts = _farStarts, columns = _farColumns;
        T[] values = _farValues, neighbour = _neighbour, inverseDiagonal = _inverseDiagonal;
        for (int r = start; r < end; r++)
        {
            int i = rows[r];
            T s = b[i] * inverseDiagonal[i];
            for (int k = starts[i]; k < starts[i + 1]; k++) s -= values[k] * x[columns[k]];
            if (neighbour[i] != T.Zero) s = T.FusedMultiplyAdd(-neighbour[i], x[i + step], s);
            x[i] = T.Abs(s) < threshold ? T.Zero : s;
        }
    }

    /// <summary>
    /// Blocks of 16 consecutive rows (one 512-bit vector of floats) solved at once, in single precision. Within a block the
    /// recurrence x_i = c_i − n_i x_{i∓1} is a chain of affine maps, composed by a parallel prefix in log₂ L steps of
    /// lane shifts and multiply-adds (Hillis and Steele), and x = c + m·x_carried; the far terms of c are vector loads,
    /// which a block allows when each of its far slots reads consecutive, already solved rows (a stencil's i − m and
    /// i − m² in natural order; a row without the entry gets coefficient 0 on a solved row). Other blocks, and CPUs
    /// without 512-bit vectors, take the row loop. The serial chain was the float sweep's bound (one fused multiply-add
    /// of latency per row, the same as in double, so single precision gained nothing): a 1M-row 2D Poisson IC(0) sweep
    /// took 1.84 ms by rows and 1.12 ms by blocks (double, by rows, 2.0 ms: already near memory speed, and by blocks
    /// no faster, so doubles keep the row loop and its bits). The result differs from the row loop's in rounding only
    /// (products of neighbour coefficients are formed in another order); values below the flush threshold are flushed
    /// after each block, so a block's own lanes may carry them one step.
    /// </summary>
    private sealed class ScanBlocks
    {
        /// <summary>The most far entries per row a block may have.</summary>
        private const int MaxFar = 4;
        private static readonly int L = Vector512<T>.Count;
        private static readonly Vector512<T>[] ForwardShifts = Shifts(forward: true), BackwardShifts = Shifts(forward: false);
        private static readonly Vector512<T>[] ForwardMasks = Masks(forward: true), BackwardMasks = Masks(forward: false);
        private static readonly Vector512<T> LastLane = Index(L - 1), FirstLane = Index(0);

        private readonly bool _lower;
        private readonly int _n, _blocks;
        private readonly sbyte[] _farCount;   // per block: far slots, or −1 for a block that takes the row loop
        private readonly int[] _farStart;     // per block and slot: the column read by lane 0
        private readonly int[] _farSource;    // per block, slot and lane: the index into the far values, or −1 (coefficient 0)
        private readonly T[] _farValues;      // per block, slot and lane: −(t_ij / t_ii)

        /// <summary>Blocks solved by the scan.</summary>
        public int Qualified { get; private set; }

        private ScanBlocks(bool lower, int n, int blocks)
        {
            _lower = lower;
            _n = n;
            _blocks = blocks;
            _farCount = new sbyte[blocks];
            _farStart = new int[blocks * MaxFar];
            _farSource = new int[blocks * MaxFar * L];
            _farValues = new T[blocks * MaxFar * L];
        }

        /// <summary>The blocks of a matrix, or null where no block qualifies or the CPU lacks 512-bit vectors.</summary>
        public static ScanBlocks? Build(TriangularMatrix host, int[] farStarts, int[] farColumns)
        {
            // Doubles gain nothing: their sweep is already near memory speed by rows (2.0 against 2.2 ms by blocks at 1M).
            if (typeof(T) != typeof(float) || !Avx512F.IsSupported || !Vector512.IsHardwareAccelerated) return null;
            int n = host.Size, blocks = n / L;
            if (blocks == 0) return null;
            var scan = new ScanBlocks(host.IsLower, n, blocks);
            for (int k = 0; k < blocks; k++)
                if (scan.Qualify(k, farStarts, farColumns)) scan.Qualified++;
            return scan.Qualified > 0 ? scan : null;
        }

        /// <summary>Block k holds rows [k·L, k·L + L) for a lower matrix, [n − k·L − L, n − k·L) for an upper one.</summary>
        private int FirstRow(int k) => _lower ? k * L : _n - (k + 1) * L;

        private bool Qualify(int k, int[] farStarts, int[] farColumns)
        {
            int row0 = FirstRow(k), solvedFrom = _lower ? 0 : row0 + L, solvedTo = _lower ? row0 : _n; // solved rows: [from, to)
            int slots = 0;
            for (int l = 0; l < L; l++) slots = Math.Max(slots, farStarts[row0 + l + 1] - farStarts[row0 + l]);
            _farCount[k] = -1;
            if (slots > MaxFar) return false;
            for (int f = 0; f < slots; f++)
            {
                // Slot f holds each row's f-th far entry (by column); the lanes must read consecutive columns.
                int start = int.MinValue;
                for (int l = 0; l < L; l++)
                {
                    int at = farStarts[row0 + l] + f;
                    if (at >= farStarts[row0 + l + 1]) continue;
                    int s = farColumns[at] - l;
                    if (start != int.MinValue && s != start) return false;
                    start = s;
                }
                if (start < solvedFrom || start + L > solvedTo) return false;
                _farStart[k * MaxFar + f] = start;
                for (int l = 0; l < L; l++)
                {
                    int at = farStarts[row0 + l] + f;
                    _farSource[(k * MaxFar + f) * L + l] = at < farStarts[row0 + l + 1] ? at : -1;
                }
            }
            _farCount[k] = (sbyte)slots;
            return true;
        }

        /// <summary>Takes the far values (after a value refresh).</summary>
        public void Fill(T[] farValues)
        {
            for (int i = 0; i < _farSource.Length; i++)
                _farValues[i] = _farSource[i] >= 0 ? -farValues[_farSource[i]] : T.Zero;
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Sweep(CpuSubstitutionRows<T> rows, ReadOnlySpan<T> b, Span<T> x, T threshold)
        {
            ref T br = ref MemoryMarshal.GetReference(b);
            ref T xr = ref MemoryMarshal.GetReference(x);
            ref T inverse = ref MemoryMarshal.GetArrayDataReference(rows._inverseDiagonal);
            ref T neighbour = ref MemoryMarshal.GetArrayDataReference(rows._neighbour);
            ref T far = ref MemoryMarshal.GetArrayDataReference(_farValues);
            ref int farStart = ref MemoryMarshal.GetArrayDataReference(_farStart);
            var shifts = _lower ? ForwardShifts : BackwardShifts;
            var masks = _lower ? ForwardMasks : BackwardMasks;
            // The prefix's shifts and masks in registers: log₂ L steps, 4 for floats, 3 for doubles.
            Vector512<T> s0 = shifts[0], s1 = shifts[1], s2 = shifts[2], s3 = shifts[^1];
            Vector512<T> k0 = masks[0], k1 = masks[1], k2 = masks[2], k3 = masks[^1];
            var one = Vector512<T>.One;
            Vector512<T> j0 = one - k0, j1 = one - k1, j2 = one - k2, j3 = one - k3;
            var carryLane = _lower ? LastLane : FirstLane;
            var limit = Vector512.Create(threshold);
            var carry = Vector512<T>.Zero; // x of the row solved last, in every lane
            int position = 0; // rows solved so far, in solve order
            for (int k = 0; k < _blocks; k++, position += L)
            {
                int slots = _farCount[k];
                if (slots < 0)
                {
                    carry = Vector512.Create(rows.Rows(b, x, threshold, position, position + L, carry.ToScalar()));
                    continue;
                }
                int row0 = FirstRow(k);
                var c = Vector512.LoadUnsafe(ref br, (nuint)row0) * Vector512.LoadUnsafe(ref inverse, (nuint)row0);
                for (int f = 0; f < slots; f++)
                {
                    int slot = k * MaxFar + f;
                    c = Fma(Vector512.LoadUnsafe(ref far, (nuint)(slot * L)), Vector512.LoadUnsafe(ref xr, (nuint)Unsafe.Add(ref farStart, slot)), c);
                }
                // Prefix of the maps x ↦ c_l + m_l x along the solve order: c_l += m_l c_{l∓d}, m_l *= m_{l∓d}.
                var m = -Vector512.LoadUnsafe(ref neighbour, (nuint)row0);
                c = Fma(m * k0, Permute(c, s0), c);
                m *= Fma(Permute(m, s0), k0, j0);
                c = Fma(m * k1, Permute(c, s1), c);
                m *= Fma(Permute(m, s1), k1, j1);
                c = Fma(m * k2, Permute(c, s2), c);
                m *= Fma(Permute(m, s2), k2, j2);
                if (Vector512<T>.Count == 16)
                {
                    c = Fma(m * k3, Permute(c, s3), c);
                    m *= Fma(Permute(m, s3), k3, j3);
                }
                var v = Fma(m, carry, c);
                v = Vector512.ConditionalSelect(Vector512.LessThan(Vector512.Abs(v), limit), Vector512<T>.Zero, v);
                v.StoreUnsafe(ref xr, (nuint)row0);
                carry = Permute(v, carryLane);
            }
            rows.Rows(b, x, threshold, position, _n, carry.ToScalar());
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<T> Fma(Vector512<T> a, Vector512<T> b, Vector512<T> c) => typeof(T) == typeof(float)
            ? Vector512.FusedMultiplyAdd(a.AsSingle(), b.AsSingle(), c.AsSingle()).As<float, T>()
            : Vector512.FusedMultiplyAdd(a.AsDouble(), b.AsDouble(), c.AsDouble()).As<double, T>();

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<T> Permute(Vector512<T> v, Vector512<T> indices) => typeof(T) == typeof(float)
            ? Avx512F.PermuteVar16x32(v.AsSingle(), indices.AsInt32()).As<float, T>()
            : Avx512F.PermuteVar8x64(v.AsDouble(), indices.AsInt64()).As<double, T>();

        /// <summary>Lane l takes lane l − d (forward) or l + d (backward), clamped; the mask drops what crosses the edge.</summary>
        private static Vector512<T>[] Shifts(bool forward)
        {
            var list = new List<Vector512<T>>();
            for (int d = 1; d < L; d *= 2)
            {
                int shift = d;
                list.Add(Lanes(l => forward ? Math.Max(l - shift, 0) : Math.Min(l + shift, L - 1)));
            }
            return [.. list];
        }

        private static Vector512<T>[] Masks(bool forward)
        {
            var list = new List<Vector512<T>>();
            for (int d = 1; d < L; d *= 2)
            {
                int shift = d;
                list.Add(Vector512.Create(Enumerable.Range(0, L).Select(l => (forward ? l >= shift : l + shift < L) ? T.One : T.Zero).ToArray()));
            }
            return [.. list];
        }

        private static Vector512<T> Index(int lane) => Lanes(_ => lane);

        /// <summary>An index vector in T's lane width (int for float, long for double), held as the bits of a T vector.</summary>
        private static Vector512<T> Lanes(Func<int, int> index) => typeof(T) == typeof(float)
            ? Vector512.Create(Enumerable.Range(0, L).Select(index).ToArray()).As<int, T>()
            : Vector512.Create(Enumerable.Range(0, L).Select(l => (long)index(l)).ToArray()).As<long, T>();
    }
}
