using System.Numerics;
using System.Runtime.CompilerServices;
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
    }

    /// <summary>The flush threshold of a solve with right-hand side <paramref name="b"/>: <see cref="FlushBelow"/> · max |b_i|.</summary>
    internal static T Threshold(ReadOnlySpan<T> b)
    {
        T max = T.Zero;
        int i = 0;
        if (Vector.IsHardwareAccelerated && b.Length >= Vector<T>.Count)
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

    /// <summary>All rows in solve order (top down for a lower, bottom up for an upper matrix), x_{i∓1} carried in a register.</summary>
    /// <param name="b">The right-hand side.</param>
    /// <param name="x">The solution; may be <paramref name="b"/>.</param>
    /// <param name="threshold">Values of smaller magnitude are stored as zero: <see cref="Threshold"/> of b, taken before x is written.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Sweep(ReadOnlySpan<T> b, Span<T> x, T threshold)
    {
        int n = _host.Size;
        if (b.Length != n || x.Length != n) throw new ArgumentException($"b has {b.Length} and x {x.Length} elements; the matrix has {n} rows.");
        if (n == 0) return;
        // Unchecked references: the spans' lengths are checked above and the far pattern was checked with the host matrix;
        // bounds checks on every access spilled the loop's registers to the stack.
        ref int starts = ref MemoryMarshal.GetArrayDataReference(_farStarts);
        ref int columns = ref MemoryMarshal.GetArrayDataReference(_farColumns);
        ref T values = ref MemoryMarshal.GetArrayDataReference(_farValues);
        ref T neighbour = ref MemoryMarshal.GetArrayDataReference(_neighbour);
        ref T inverseDiagonal = ref MemoryMarshal.GetArrayDataReference(_inverseDiagonal);
        ref T br = ref MemoryMarshal.GetReference(b);
        ref T xr = ref MemoryMarshal.GetReference(x);
        bool lower = _host.IsLower;
        int i = lower ? 0 : n - 1, step = lower ? 1 : -1;
        // Row i's first row solved has no neighbour entry (n_i = 0), so the 0 carried into it adds nothing.
        T previous = T.Zero;
        for (int r = 0; r < n; r++, i += step)
        {
            T s = Unsafe.Add(ref br, i) * Unsafe.Add(ref inverseDiagonal, i);
            int end = Unsafe.Add(ref starts, i + 1);
            for (int k = Unsafe.Add(ref starts, i); k < end; k++)
                s -= Unsafe.Add(ref values, k) * Unsafe.Add(ref xr, Unsafe.Add(ref columns, k));
            previous = T.FusedMultiplyAdd(-Unsafe.Add(ref neighbour, i), previous, s);
            if (T.Abs(previous) < threshold) previous = T.Zero; // a predictable branch: values decay into this and stay
            Unsafe.Add(ref xr, i) = previous;
        }
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
}
