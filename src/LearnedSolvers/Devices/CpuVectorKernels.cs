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
