using ILGPU;

namespace LearnedSolvers.Devices.Ilgpu;

/// <summary>
/// Deterministic reductions in one launch, no host round trip: each thread sums a grid-stride slice, each group folds
/// its threads with <see cref="GroupSum"/> and writes one partial per group, and the last group to finish folds the
/// partials in a fixed order (<see cref="FoldInLastGroup"/>), leaving the result in device memory. An integer counter
/// says which group is last; no floating-point atomics. Reductions that span several launches (a MultiDot over more
/// than <see cref="BasisBlock.Width"/> vectors) write partials only and finish with <see cref="FinalSum"/>, which folds
/// in the same order. The grid depends only on the vector length, and every fold pairs the same operands, so the same
/// input gives the same bits on the same accelerator. ILGPU.Algorithms' GroupExtensions.Reduce is not used: its CPU-accelerator
/// implementation accumulates with atomics in thread-arrival order, which is not reproducible.
/// </summary>
internal static class ReductionKernels
{
    /// <summary>Largest group the reduction kernels are launched with (the static shared-memory size).</summary>
    public const int MaxGroupSize = 256;

    /// <summary>
    /// Sum over the group, valid in thread 0. A shared-memory tree down to one warp (pairs t and t + stride, a
    /// barrier per level), then shuffles inside warp 0 without barriers. Group.DimX must be a power of two and at
    /// least the warp size. All threads of the group must call it.
    /// </summary>
    public static double GroupSum(ArrayView<double> shared, double value)
    {
        int t = Group.IdxX;
        shared[t] = value;
        Group.Barrier();
        int warp = Warp.WarpSize;
        for (int stride = Group.DimX / 2; stride >= warp; stride >>= 1)
        {
            if (t < stride) shared[t] += shared[t + stride];
            Group.Barrier();
        }
        double s = 0;
        if (t < warp)
        {
            s = shared[t];
            for (int offset = warp / 2; offset > 0; offset >>= 1) s += Warp.ShuffleDown(s, offset);
        }
        // Threads t ≥ warp may run ahead into the next GroupSum on the same buffer; they only write shared[t ≥ warp],
        // which warp 0 no longer reads.
        return s;
    }

    /// <summary>
    /// Ends a reduction kernel in the launch that made the partials: after each group's first thread wrote its
    /// <paramref name="results"/> partials (result k of group g at partials[k · Grid.DimX + g]), the last group to arrive
    /// folds them into output[0 … results) in <see cref="FinalSum"/>'s order (the same bits) and re-arms the counter
    /// arrivals[0] for the next launch. At small sizes launches are the cost, and this saves one per reduction.
    /// Every thread of every group must call it, after the group's last <see cref="GroupSum"/>.
    /// </summary>
    public static void FoldInLastGroup(ArrayView<double> shared, ArrayView<double> partials, int results, ArrayView<int> arrivals, ArrayView<double> output)
    {
        if (Group.IsFirstThread)
        {
            MemoryFence.DeviceLevel(); // this group's partials are visible before its arrival is counted
            // shared[0] is free: in GroupSum only thread 0 (this thread) reads it.
            shared[0] = Atomic.Add(ref arrivals[0], 1) == Grid.DimX - 1 ? 1 : 0;
        }
        Group.Barrier();
        bool last = shared[0] != 0;
        Group.Barrier(); // everyone has read the flag before GroupSum writes shared[0] again
        if (!last) return;
        MemoryFence.DeviceLevel();
        int groups = Grid.DimX;
        for (int k = 0; k < results; k++)
        {
            double s = 0;
            for (int i = Group.IdxX; i < groups; i += Group.DimX) s += partials[k * groups + i];
            s = GroupSum(shared, s);
            if (Group.IsFirstThread) output[k] = s;
        }
        if (Group.IsFirstThread) arrivals[0] = 0;
    }

    /// <summary>output[0] = xᵀy (partials of group g's grid-stride slice, folded by the last group).</summary>
    public static void Dot(ArrayView<double> x, ArrayView<double> y, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(MaxGroupSize);
        int n = (int)x.Length;
        int stride = Grid.DimX * Group.DimX;
        double s = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride) s += x[i] * y[i];
        s = GroupSum(shared, s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
        FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary>
    /// Partials of v_kᵀw for k &lt; count ≤ <see cref="BasisBlock.Width"/> in one pass over w: row k's partial of group g
    /// goes to partials[k · Grid.DimX + g]. w is read once per block instead of once per basis vector.
    /// </summary>
    public static void MultiDotPartials(
        ArrayView<double> w,
        ArrayView<double> v0, ArrayView<double> v1, ArrayView<double> v2, ArrayView<double> v3,
        ArrayView<double> v4, ArrayView<double> v5, ArrayView<double> v6, ArrayView<double> v7,
        int count, ArrayView<double> partials)
    {
        var shared = SharedMemory.Allocate<double>(MaxGroupSize);
        int n = (int)w.Length;
        int stride = Grid.DimX * Group.DimX;
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            double wi = w[i];
            s0 += v0[i] * wi;
            if (count > 1) s1 += v1[i] * wi;
            if (count > 2) s2 += v2[i] * wi;
            if (count > 3) s3 += v3[i] * wi;
            if (count > 4) s4 += v4[i] * wi;
            if (count > 5) s5 += v5[i] * wi;
            if (count > 6) s6 += v6[i] * wi;
            if (count > 7) s7 += v7[i] * wi;
        }
        int g = Grid.IdxX, groups = Grid.DimX;
        bool first = Group.IsFirstThread;
        s0 = GroupSum(shared, s0);
        if (first) partials[g] = s0;
        if (count > 1) { s1 = GroupSum(shared, s1); if (first) partials[groups + g] = s1; }
        if (count > 2) { s2 = GroupSum(shared, s2); if (first) partials[2 * groups + g] = s2; }
        if (count > 3) { s3 = GroupSum(shared, s3); if (first) partials[3 * groups + g] = s3; }
        if (count > 4) { s4 = GroupSum(shared, s4); if (first) partials[4 * groups + g] = s4; }
        if (count > 5) { s5 = GroupSum(shared, s5); if (first) partials[5 * groups + g] = s5; }
        if (count > 6) { s6 = GroupSum(shared, s6); if (first) partials[6 * groups + g] = s6; }
        if (count > 7) { s7 = GroupSum(shared, s7); if (first) partials[7 * groups + g] = s7; }
    }

    /// <summary>
    /// result[k] = Σ_g partials[k · partialsPerResult + g], one group per result k (launch Grid.DimX = number of results).
    /// Each thread sums a strided slice in index order, then <see cref="GroupSum"/>: a fixed order.
    /// </summary>
    public static void FinalSum(ArrayView<double> partials, int partialsPerResult, ArrayView<double> result)
    {
        var shared = SharedMemory.Allocate<double>(MaxGroupSize);
        int k = Grid.IdxX;
        int offset = k * partialsPerResult;
        double s = 0;
        for (int i = Group.IdxX; i < partialsPerResult; i += Group.DimX) s += partials[offset + i];
        s = GroupSum(shared, s);
        if (Group.IsFirstThread) result[k] = s;
    }
}
