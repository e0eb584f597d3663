using System.Numerics;
using System.Runtime.CompilerServices;
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
    public static double Dot(double[] x, double[] y, int start, int length)
    {
        ref double xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), start);
        ref double yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), start);
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
    public static void Waxpby(double alpha, double[] x, double beta, double[] y, double[] z, int start, int length)
    {
        ref double xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), start);
        ref double yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), start);
        ref double zr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(z), start);
        var va = new Vector<double>(alpha);
        var vb = new Vector<double>(beta);
        int i = 0;
        for (; i <= length - W; i += W)
            (va * Vector.LoadUnsafe(ref xr, (nuint)i) + vb * Vector.LoadUnsafe(ref yr, (nuint)i)).StoreUnsafe(ref zr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref zr, i) = alpha * Unsafe.Add(ref xr, i) + beta * Unsafe.Add(ref yr, i);
    }

    /// <summary>y = αx + y over the slice.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Axpy(double alpha, double[] x, double[] y, int start, int length)
    {
        ref double xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), start);
        ref double yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), start);
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
    public static void MultiDot(IReadOnlyList<DeviceVector> basis, int count, double[] w, int start, int length, Span<double> result)
    {
        ref double wr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w), start);
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
        for (; b < count; b++) result[b] = Dot(((CpuVector)basis[b]).Data, w, start, length);
    }

    /// <summary>w ← w − Σ_i c_i basis[i] over the slice, four basis vectors per sweep over w.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void MultiAxpy(IReadOnlyList<DeviceVector> basis, int count, ReadOnlySpan<double> coefficients, double[] w, int start, int length)
    {
        ref double wr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(w), start);
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
        for (; b < count; b++) Axpy(-coefficients[b], ((CpuVector)basis[b]).Data, w, start, length);
    }

    private static ref double Slice(DeviceVector v, int start) =>
        ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(((CpuVector)v).Data), start);

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Scale(double alpha, double[] x, int start, int length)
    {
        ref double xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), start);
        var va = new Vector<double>(alpha);
        int i = 0;
        for (; i <= length - W; i += W) (va * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref xr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref xr, i) *= alpha;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PointwiseMultiply(double[] a, double[] x, double[] y, int start, int length)
    {
        ref double ar = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(a), start);
        ref double xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), start);
        ref double yr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(y), start);
        int i = 0;
        for (; i <= length - W; i += W)
            (Vector.LoadUnsafe(ref ar, (nuint)i) * Vector.LoadUnsafe(ref xr, (nuint)i)).StoreUnsafe(ref yr, (nuint)i);
        for (; i < length; i++) Unsafe.Add(ref yr, i) = Unsafe.Add(ref ar, i) * Unsafe.Add(ref xr, i);
    }

    /// <summary>x += αp; r −= αq; returns the slice's ‖r‖².</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double CgUpdate(double alpha, double[] p, double[] q, double[] x, double[] r, int start, int length)
    {
        ref double pr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(p), start);
        ref double qr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(q), start);
        ref double xr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(x), start);
        ref double rr = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(r), start);
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
