using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.InteropServices;

namespace LearnedSolvers.Devices;

/// <summary>
/// Single-threaded SIMD kernels over one slice [start, start + length); <see cref="CpuDevice"/> runs them per chunk.
/// The order of floating-point operations depends only on the slice, which keeps reductions deterministic.
/// </summary>
internal static class CpuVectorKernels
{
    private static readonly int W = Vector<double>.Count;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Dot(CpuMemory<double> x, CpuMemory<double> y, int start, int length)
    {
        ref double xr = ref x.At(start);
        ref double yr = ref y.At(start);
        var a0 = Vector<double>.Zero;
        var a1 = Vector<double>.Zero;
        int i = 0;
        for (; i <= length - 2 * W; i += 2 * W)
        {
            a0 += Vector.LoadUnsafe(ref xr, (nuint)i) * Vector.LoadUnsafe(ref yr, (nuint)i);
            a1 += Vector.LoadUnsafe(ref xr, (nuint)(i + W)) * Vector.LoadUnsafe(ref yr, (nuint)(i + W));
        }
        double s = Vector.Sum(a0 + a1);
        for (; i < length; i++) s += Unsafe.Add(ref xr, i) * Unsafe.Add(ref yr, i);
        return s;
    }

    /// <summary>z = αx + βy over the slice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Waxpby(double alpha, CpuMemory<double> x, double beta, CpuMemory<double> y, CpuMemory<double> z, int start, int length)
    {
        ref double xr = ref x.At(start);
        ref double yr = ref y.At(start);
        ref double zr = ref z.At(start);
        var va = new Vector<double>(alpha);
        var vb = new Vector<double>(beta);
        int i = 0;
        for (; i <= length - W; i += W)
            (va * Vector.LoadUnsafe(ref xr, (nuint)i) + vb * Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref zr, i) = alpha * Unsafe.Add(ref xr, i) + beta * Unsafe.Add(ref yr, i);
    }

    /// <summary>y = αx + y over the slice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double alpha, CpuMemory<double> x, CpuMemory<double> y, int start, int length)
    {
        ref double xr = ref x.At(start);
        ref double yr = ref y.At(start);
        var va = new Vector<double>(alpha);
        int i = 0;
        for (; i <= length - W; i += W)
            (Vector.LoadUnsafe(ref yr, (nuint)i) + va * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref yr, i) += alpha * Unsafe.Add(ref xr, i);
    }

    /// <summary>
    /// result[i] = basis[i]ᵀw over the slice for i &lt; count, four basis vectors per sweep over w (w is loaded once per
    /// four dot products). Each product keeps its own lanes, summed in a fixed order: deterministic.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiDot(IReadOnlyList<DeviceVector> basis, int count, CpuMemory<double> w, int start, int length, Span<double> result)
    {
        ref double wr = ref w.At(start);
        int b = 0;
        for (; b + 4 <= count; b += 4)
        {
            ref double v0 = ref Slice(basis[b], start);
            ref double v1 = ref Slice(basis[b + 1], start);
            ref double v2 = ref Slice(basis[b + 2], start);
            ref double v3 = ref Slice(basis[b + 3], start);
            Vector<double> a0 = Vector<double>.Zero, a1 = a0, a2 = a0, a3 = a0;
            int i = 0;
            for (; i <= length - W; i += W)
            {
                var wi = Vector.LoadUnsafe(ref wr, (nuint)i);
                a0 += Vector.LoadUnsafe(ref v0, (nuint)i) * wi;
                a1 += Vector.LoadUnsafe(ref v1, (nuint)i) * wi;
                a2 += Vector.LoadUnsafe(ref v2, (nuint)i) * wi;
                a3 += Vector.LoadUnsafe(ref v3, (nuint)i) * wi;
            }
            double s0 = Vector.Sum(a0), s1 = Vector.Sum(a1), s2 = Vector.Sum(a2), s3 = Vector.Sum(a3);
            for (; i < length; i++)
            {
                double wi = Unsafe.Add(ref wr, i);
                s0 += Unsafe.Add(ref v0, i) * wi;
                s1 += Unsafe.Add(ref v1, i) * wi;
                s2 += Unsafe.Add(ref v2, i) * wi;
                s3 += Unsafe.Add(ref v3, i) * wi;
            }
            result[b] = s0;
            result[b + 1] = s1;
            result[b + 2] = s2;
            result[b + 3] = s3;
        }
        for (; b < count; b++) result[b] = Dot(((CpuVector)basis[b]).Memory, w, start, length);
    }

    /// <summary>w ← w − Σ_i c_i basis[i] over the slice, four basis vectors per sweep over w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiAxpy(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, CpuMemory<double> w, int start, int length)
    {
        ref double wr = ref w.At(start);
        int b = 0;
        for (; b + 4 <= count; b += 4)
        {
            ref double v0 = ref Slice(basis[b], start);
            ref double v1 = ref Slice(basis[b + 1], start);
            ref double v2 = ref Slice(basis[b + 2], start);
            ref double v3 = ref Slice(basis[b + 3], start);
            double c0 = coefficients[b], c1 = coefficients[b + 1], c2 = coefficients[b + 2], c3 = coefficients[b + 3];
            Vector<double> k0 = new(c0), k1 = new(c1), k2 = new(c2), k3 = new(c3);
            int i = 0;
            for (; i <= length - W; i += W)
            {
                var wi = Vector.LoadUnsafe(ref wr, (nuint)i);
                wi -= k0 * Vector.LoadUnsafe(ref v0, (nuint)i);
                wi -= k1 * Vector.LoadUnsafe(ref v1, (nuint)i);
                wi -= k2 * Vector.LoadUnsafe(ref v2, (nuint)i);
                wi -= k3 * Vector.LoadUnsafe(ref v3, (nuint)i);
                wi.StoreUnsafe(ref wr, (nuint)i);
            }
            for (; i < length; i++)
                Unsafe.Add(ref wr, i) -= c0 * Unsafe.Add(ref v0, i) + c1 * Unsafe.Add(ref v1, i) + c2 * Unsafe.Add(ref v2, i) + c3 * Unsafe.Add(ref v3, i);
        }
        for (; b < count; b++) Axpy(-coefficients[b], ((CpuVector)basis[b]).Memory, w, start, length);
    }

    /// <summary>
    /// result[j·count + i] = basis[i]ᵀ vectors[j] over the slice: four basis vectors and two vectors per sweep, eight
    /// accumulators fed by six loads (a MultiDot per vector needs five loads for four products).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiDotBlock(IReadOnlyList<DeviceVector> basis, int count, IReadOnlyList<DeviceVector> vectors, int vectorCount,
        int start, int length, Span<double> result)
    {
        int j = 0;
        if (Vector512.IsHardwareAccelerated)
            for (; j + 4 <= vectorCount; j += 4)
            {
                int b = 0;
                for (; b + 4 <= count; b += 4)
                    GramTile512(ref Slice(basis[b], start), ref Slice(basis[b + 1], start), ref Slice(basis[b + 2], start), ref Slice(basis[b + 3], start),
                        ref Slice(vectors[j], start), ref Slice(vectors[j + 1], start), ref Slice(vectors[j + 2], start), ref Slice(vectors[j + 3], start),
                        length, result.Slice(j * count), count, b);
                for (; b < count; b++)
                {
                    var v = ((CpuVector)basis[b]).Memory;
                    for (int t = 0; t < 4; t++) result[(j + t) * count + b] = Dot(v, ((CpuVector)vectors[j + t]).Memory, start, length);
                }
            }
        for (; j + 2 <= vectorCount; j += 2)
        {
            ref double x0 = ref Slice(vectors[j], start);
            ref double x1 = ref Slice(vectors[j + 1], start);
            var r0 = result.Slice(j * count, count);
            var r1 = result.Slice((j + 1) * count, count);
            int b = 0;
            for (; b + 4 <= count; b += 4)
            {
                ref double v0 = ref Slice(basis[b], start);
                ref double v1 = ref Slice(basis[b + 1], start);
                ref double v2 = ref Slice(basis[b + 2], start);
                ref double v3 = ref Slice(basis[b + 3], start);
                Vector<double> a00 = Vector<double>.Zero, a10 = a00, a20 = a00, a30 = a00, a01 = a00, a11 = a00, a21 = a00, a31 = a00;
                int i = 0;
                for (; i <= length - W; i += W)
                {
                    var y0 = Vector.LoadUnsafe(ref x0, (nuint)i);
                    var y1 = Vector.LoadUnsafe(ref x1, (nuint)i);
                    var u = Vector.LoadUnsafe(ref v0, (nuint)i);
                    a00 += u * y0;
                    a01 += u * y1;
                    u = Vector.LoadUnsafe(ref v1, (nuint)i);
                    a10 += u * y0;
                    a11 += u * y1;
                    u = Vector.LoadUnsafe(ref v2, (nuint)i);
                    a20 += u * y0;
                    a21 += u * y1;
                    u = Vector.LoadUnsafe(ref v3, (nuint)i);
                    a30 += u * y0;
                    a31 += u * y1;
                }
                double s00 = Vector.Sum(a00), s10 = Vector.Sum(a10), s20 = Vector.Sum(a20), s30 = Vector.Sum(a30);
                double s01 = Vector.Sum(a01), s11 = Vector.Sum(a11), s21 = Vector.Sum(a21), s31 = Vector.Sum(a31);
                for (; i < length; i++)
                {
                    double y0 = Unsafe.Add(ref x0, i), y1 = Unsafe.Add(ref x1, i);
                    double u0 = Unsafe.Add(ref v0, i), u1 = Unsafe.Add(ref v1, i), u2 = Unsafe.Add(ref v2, i), u3 = Unsafe.Add(ref v3, i);
                    s00 += u0 * y0;
                    s10 += u1 * y0;
                    s20 += u2 * y0;
                    s30 += u3 * y0;
                    s01 += u0 * y1;
                    s11 += u1 * y1;
                    s21 += u2 * y1;
                    s31 += u3 * y1;
                }
                r0[b] = s00;
                r0[b + 1] = s10;
                r0[b + 2] = s20;
                r0[b + 3] = s30;
                r1[b] = s01;
                r1[b + 1] = s11;
                r1[b + 2] = s21;
                r1[b + 3] = s31;
            }
            for (; b < count; b++)
            {
                var v = ((CpuVector)basis[b]).Memory;
                r0[b] = Dot(v, ((CpuVector)vectors[j]).Memory, start, length);
                r1[b] = Dot(v, ((CpuVector)vectors[j + 1]).Memory, start, length);
            }
        }
        if (j < vectorCount) MultiDot(basis, count, ((CpuVector)vectors[j]).Memory, start, length, result.Slice(j * count, count));
    }

    /// <summary>
    /// The 4 × 4 tile of <see cref="MultiDotBlock"/> with 512-bit fused multiply-adds: four basis vectors against four
    /// vectors, sixteen accumulators fed by eight loads (the 4 × 2 sweep needs six loads for eight products); writes
    /// result[t·count + b + i] = basis[b + i]ᵀ vectors[t] for i, t &lt; 4.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GramTile512(ref double u0, ref double u1, ref double u2, ref double u3, ref double v0, ref double v1, ref double v2, ref double v3,
        int length, Span<double> result, int count, int b)
    {
        Vector512<double> a00 = default, a01 = default, a02 = default, a03 = default, a10 = default, a11 = default, a12 = default, a13 = default;
        Vector512<double> a20 = default, a21 = default, a22 = default, a23 = default, a30 = default, a31 = default, a32 = default, a33 = default;
        int w = Vector512<double>.Count, i = 0;
        for (; i <= length - w; i += w)
        {
            var y0 = Vector512.LoadUnsafe(ref v0, (nuint)i);
            var y1 = Vector512.LoadUnsafe(ref v1, (nuint)i);
            var y2 = Vector512.LoadUnsafe(ref v2, (nuint)i);
            var y3 = Vector512.LoadUnsafe(ref v3, (nuint)i);
            var x = Vector512.LoadUnsafe(ref u0, (nuint)i);
            a00 = Vector512.FusedMultiplyAdd(x, y0, a00); a01 = Vector512.FusedMultiplyAdd(x, y1, a01);
            a02 = Vector512.FusedMultiplyAdd(x, y2, a02); a03 = Vector512.FusedMultiplyAdd(x, y3, a03);
            x = Vector512.LoadUnsafe(ref u1, (nuint)i);
            a10 = Vector512.FusedMultiplyAdd(x, y0, a10); a11 = Vector512.FusedMultiplyAdd(x, y1, a11);
            a12 = Vector512.FusedMultiplyAdd(x, y2, a12); a13 = Vector512.FusedMultiplyAdd(x, y3, a13);
            x = Vector512.LoadUnsafe(ref u2, (nuint)i);
            a20 = Vector512.FusedMultiplyAdd(x, y0, a20); a21 = Vector512.FusedMultiplyAdd(x, y1, a21);
            a22 = Vector512.FusedMultiplyAdd(x, y2, a22); a23 = Vector512.FusedMultiplyAdd(x, y3, a23);
            x = Vector512.LoadUnsafe(ref u3, (nuint)i);
            a30 = Vector512.FusedMultiplyAdd(x, y0, a30); a31 = Vector512.FusedMultiplyAdd(x, y1, a31);
            a32 = Vector512.FusedMultiplyAdd(x, y2, a32); a33 = Vector512.FusedMultiplyAdd(x, y3, a33);
        }
        Span<double> s = stackalloc double[16];
        s[0] = Vector512.Sum(a00); s[1] = Vector512.Sum(a10); s[2] = Vector512.Sum(a20); s[3] = Vector512.Sum(a30);
        s[4] = Vector512.Sum(a01); s[5] = Vector512.Sum(a11); s[6] = Vector512.Sum(a21); s[7] = Vector512.Sum(a31);
        s[8] = Vector512.Sum(a02); s[9] = Vector512.Sum(a12); s[10] = Vector512.Sum(a22); s[11] = Vector512.Sum(a32);
        s[12] = Vector512.Sum(a03); s[13] = Vector512.Sum(a13); s[14] = Vector512.Sum(a23); s[15] = Vector512.Sum(a33);
        for (; i < length; i++)
        {
            double y0 = Unsafe.Add(ref v0, i), y1 = Unsafe.Add(ref v1, i), y2 = Unsafe.Add(ref v2, i), y3 = Unsafe.Add(ref v3, i);
            double x0 = Unsafe.Add(ref u0, i), x1 = Unsafe.Add(ref u1, i), x2 = Unsafe.Add(ref u2, i), x3 = Unsafe.Add(ref u3, i);
            s[0] += x0 * y0; s[1] += x1 * y0; s[2] += x2 * y0; s[3] += x3 * y0;
            s[4] += x0 * y1; s[5] += x1 * y1; s[6] += x2 * y1; s[7] += x3 * y1;
            s[8] += x0 * y2; s[9] += x1 * y2; s[10] += x2 * y2; s[11] += x3 * y2;
            s[12] += x0 * y3; s[13] += x1 * y3; s[14] += x2 * y3; s[15] += x3 * y3;
        }
        for (int t = 0; t < 4; t++)
            for (int r = 0; r < 4; r++) result[t * count + b + r] = s[4 * t + r];
    }

    /// <summary>
    /// outputs[j] = Σ_i coefficients[j·ld + i] basis[i] over the slice (overwritten): two outputs and four basis vectors
    /// per sweep, eight products per eight loads and stores (a MultiAxpy per output needs six for four).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void LinearCombinations(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, int ld,
        IReadOnlyList<DeviceVector> outputs, int outputCount, int start, int length)
    {
        for (int j = 0; j < outputCount; j += 2)
        {
            bool pair = j + 1 < outputCount;
            ref double o0 = ref Slice(outputs[j], start);
            ref double o1 = ref Slice(outputs[pair ? j + 1 : j], start);
            var c0 = coefficients.Slice(j * ld, count);
            var c1 = pair ? coefficients.Slice((j + 1) * ld, count) : c0;
            MemoryMarshal.CreateSpan(ref o0, length).Clear();
            if (pair) MemoryMarshal.CreateSpan(ref o1, length).Clear();
            int b = 0;
            for (; b + 4 <= count; b += 4)
            {
                ref double v0 = ref Slice(basis[b], start);
                ref double v1 = ref Slice(basis[b + 1], start);
                ref double v2 = ref Slice(basis[b + 2], start);
                ref double v3 = ref Slice(basis[b + 3], start);
                Vector<double> k00 = new(c0[b]), k01 = new(c0[b + 1]), k02 = new(c0[b + 2]), k03 = new(c0[b + 3]);
                Vector<double> k10 = new(c1[b]), k11 = new(c1[b + 1]), k12 = new(c1[b + 2]), k13 = new(c1[b + 3]);
                int i = 0;
                if (pair)
                {
                    for (; i <= length - W; i += W)
                    {
                        var u0 = Vector.LoadUnsafe(ref v0, (nuint)i);
                        var u1 = Vector.LoadUnsafe(ref v1, (nuint)i);
                        var u2 = Vector.LoadUnsafe(ref v2, (nuint)i);
                        var u3 = Vector.LoadUnsafe(ref v3, (nuint)i);
                        (Vector.LoadUnsafe(ref o0, (nuint)i) + k00 * u0 + k01 * u1 + k02 * u2 + k03 * u3).StoreUnsafe(ref o0, (nuint)i);
                        (Vector.LoadUnsafe(ref o1, (nuint)i) + k10 * u0 + k11 * u1 + k12 * u2 + k13 * u3).StoreUnsafe(ref o1, (nuint)i);
                    }
                    for (; i < length; i++)
                    {
                        double u0 = Unsafe.Add(ref v0, i), u1 = Unsafe.Add(ref v1, i), u2 = Unsafe.Add(ref v2, i), u3 = Unsafe.Add(ref v3, i);
                        Unsafe.Add(ref o0, i) += c0[b] * u0 + c0[b + 1] * u1 + c0[b + 2] * u2 + c0[b + 3] * u3;
                        Unsafe.Add(ref o1, i) += c1[b] * u0 + c1[b + 1] * u1 + c1[b + 2] * u2 + c1[b + 3] * u3;
                    }
                }
                else
                {
                    for (; i <= length - W; i += W)
                        (Vector.LoadUnsafe(ref o0, (nuint)i) + k00 * Vector.LoadUnsafe(ref v0, (nuint)i) + k01 * Vector.LoadUnsafe(ref v1, (nuint)i)
                            + k02 * Vector.LoadUnsafe(ref v2, (nuint)i) + k03 * Vector.LoadUnsafe(ref v3, (nuint)i)).StoreUnsafe(ref o0, (nuint)i);
                    for (; i < length; i++)
                        Unsafe.Add(ref o0, i) += c0[b] * Unsafe.Add(ref v0, i) + c0[b + 1] * Unsafe.Add(ref v1, i)
                            + c0[b + 2] * Unsafe.Add(ref v2, i) + c0[b + 3] * Unsafe.Add(ref v3, i);
                }
            }
            for (; b < count; b++)
            {
                var v = ((CpuVector)basis[b]).Memory;
                Axpy(c0[b], v, ((CpuVector)outputs[j]).Memory, start, length);
                if (pair) Axpy(c1[b], v, ((CpuVector)outputs[j + 1]).Memory, start, length);
            }
        }
    }

    private static ref double Slice(DeviceVector v, int start) =>
        ref ((CpuVector)v).Memory.At(start);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(double alpha, CpuMemory<double> x, int start, int length)
    {
        ref double xr = ref x.At(start);
        var va = new Vector<double>(alpha);
        int i = 0;
        for (; i <= length - W; i += W) (va * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref xr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref xr, i) *= alpha;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PointwiseMultiply(CpuMemory<double> a, CpuMemory<double> x, CpuMemory<double> y, int start, int length)
    {
        ref double ar = ref a.At(start);
        ref double xr = ref x.At(start);
        ref double yr = ref y.At(start);
        int i = 0;
        for (; i <= length - W; i += W)
            (Vector.LoadUnsafe(ref ar, (nuint)i) * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref yr, i) = Unsafe.Add(ref ar, i) * Unsafe.Add(ref xr, i);
    }

    /// <summary>x += αp; r −= αq; returns the slice's ‖r‖².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double UpdateWithNorm(double alpha, CpuMemory<double> p, CpuMemory<double> q, CpuMemory<double> x, CpuMemory<double> r, int start, int length)
    {
        ref double pr = ref p.At(start);
        ref double qr = ref q.At(start);
        ref double xr = ref x.At(start);
        ref double rr = ref r.At(start);
        var va = new Vector<double>(alpha);
        var acc = Vector<double>.Zero;
        int i = 0;
        for (; i <= length - W; i += W)
        {
            (Vector.LoadUnsafe(ref xr, (nuint)i) + va * Vector.LoadUnsafe(ref pr, (nuint)i)).StoreUnsafe(ref xr, (nuint)i);
            var rn = Vector.LoadUnsafe(ref rr, (nuint)i) - va * Vector.LoadUnsafe(ref qr, (nuint)i);
            rn.StoreUnsafe(ref rr, (nuint)i);
            acc += rn * rn;
        }
        double s = Vector.Sum(acc);
        for (; i < length; i++)
        {
            Unsafe.Add(ref xr, i) += alpha * Unsafe.Add(ref pr, i);
            double rn = Unsafe.Add(ref rr, i) - alpha * Unsafe.Add(ref qr, i);
            Unsafe.Add(ref rr, i) = rn;
            s += rn * rn;
        }
        return s;
    }
}
