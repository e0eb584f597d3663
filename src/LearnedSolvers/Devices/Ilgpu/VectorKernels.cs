using ILGPU;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// Element-wise BLAS-1 kernels: one thread per element, auto-grouped. Each element is read and written by the same
/// thread, so outputs may alias inputs (Axpby is Waxpby with z = y). Memory-bound: the work per element is one or two
/// fused multiply-adds, so these run at DRAM bandwidth on a GPU; the next step is fusing them into their neighbours.
/// </summary>
internal static class VectorKernels
{
    /// <summary>y ← αx + y.</summary>
    public static void Axpy(Index1D i, double alpha, ArrayView<double> x, ArrayView<double> y) => y[i] += alpha * x[i];

    /// <summary>z ← αx + βy.</summary>
    public static void Waxpby(Index1D i, double alpha, ArrayView<double> x, double beta, ArrayView<double> y, ArrayView<double> z) =>
        z[i] = alpha * x[i] + beta * y[i];

    /// <summary>x ← αx.</summary>
    public static void Scale(Index1D i, double alpha, ArrayView<double> x) => x[i] *= alpha;

    /// <summary>x ← value.</summary>
    public static void Fill(Index1D i, double value, ArrayView<double> x) => x[i] = value;

    /// <summary>y ← a ∘ x.</summary>
    public static void PointwiseMultiply(Index1D i, ArrayView<double> a, ArrayView<double> x, ArrayView<double> y) => y[i] = a[i] * x[i];

    /// <summary>
    /// w ← w − Σ_{k &lt; count} c_k v_k for up to <see cref="BasisBlock.Width"/> basis vectors in one pass over w, in the
    /// order k = 0, 1, … (the order a sequence of single axpys would use). Unused views are never read; count is uniform
    /// across the launch, so the branches do not diverge.
    /// </summary>
    public static void MultiAxpy(
        Index1D i, ArrayView<double> w,
        ArrayView<double> v0, ArrayView<double> v1, ArrayView<double> v2, ArrayView<double> v3,
        ArrayView<double> v4, ArrayView<double> v5, ArrayView<double> v6, ArrayView<double> v7,
        int count, BasisBlock c)
    {
        double s = w[i];
        s -= c.C0 * v0[i];
        if (count > 1) s -= c.C1 * v1[i];
        if (count > 2) s -= c.C2 * v2[i];
        if (count > 3) s -= c.C3 * v3[i];
        if (count > 4) s -= c.C4 * v4[i];
        if (count > 5) s -= c.C5 * v5[i];
        if (count > 6) s -= c.C6 * v6[i];
        if (count > 7) s -= c.C7 * v7[i];
        w[i] = s;
    }
}
