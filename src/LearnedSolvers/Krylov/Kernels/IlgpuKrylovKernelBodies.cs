using ILGPU;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Krylov.Kernels;

/// <summary>
/// The ILGPU kernels of <see cref="IKrylovKernels"/>: the conjugate-direction and BiCGStab steps fused with the
/// reductions that follow them, reading their step lengths from device scalars. The reductions finish in the same
/// launch (<see cref="ReductionKernels.FoldInLastGroup"/>), in a fixed order, so they are deterministic like every
/// other reduction.
/// </summary>
internal static class IlgpuKrylovKernelBodies
{
    /// <summary>p ← z + βp with β = factor · scalars[newSlot] / scalars[oldSlot] (0 unless finite), read on the device.</summary>
    public static void CgDirection(Index1D i, ArrayView<double> scalars, int newSlot, int oldSlot, double factor, ArrayView<double> z, ArrayView<double> p)
    {
        double beta = factor * scalars[newSlot] / scalars[oldSlot];
        if (!(beta >= -double.MaxValue && beta <= double.MaxValue)) beta = 0;
        p[i] = z[i] + beta * p[i];
    }

    /// <summary>
    /// BiCGStab's direction: p ← r when <paramref name="first"/> is 1, else p ← r + β(p − ωv) with
    /// β = scalars[rho]·scalars[tt] / (scalars[rHatV]·scalars[ts]) and ω = scalars[ts] / scalars[tt] (0 unless finite).
    /// </summary>
    public static void BiCgStabDirection(Index1D i, ArrayView<double> scalars, int rho, int rHatV, int ts, int tt, int first,
        ArrayView<double> r, ArrayView<double> v, ArrayView<double> p)
    {
        if (first != 0)
        {
            p[i] = r[i];
            return;
        }
        double omega = scalars[ts] / scalars[tt];
        if (!(omega >= -double.MaxValue && omega <= double.MaxValue)) omega = 0;
        double beta = scalars[rho] * scalars[tt] / (scalars[rHatV] * scalars[ts]);
        if (!(beta >= -double.MaxValue && beta <= double.MaxValue)) beta = 0;
        p[i] = r[i] + beta * (p[i] - omega * v[i]);
    }

    /// <summary>x ← x + αp, r ← r − αq, with output[0] = ‖r‖² of the new r (one read of each vector).</summary>
    public static void UpdateWithNorm(
        double alpha, ArrayView<double> p, ArrayView<double> q, ArrayView<double> x, ArrayView<double> r, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        int n = (int)p.Length;
        int stride = Grid.DimX * Group.DimX;
        double s = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] += alpha * p[i];
            double ri = r[i] - alpha * q[i];
            r[i] = ri;
            s += ri * ri;
        }
        s = ReductionKernels.GroupSum(shared, s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary>
    /// The CG step with device scalars: α = scalars[rzSlot] / scalars[pqSlot] (0 unless positive and finite, read by
    /// every thread), x ← x + αp, r ← r − αq, z ← d ∘ r when <paramref name="jacobi"/> is 1; output[0] = rᵀz (rᵀr
    /// without Jacobi), output[1] = rᵀr.
    /// </summary>
    public static void CgStep(
        ArrayView<double> scalars, int rzSlot, int pqSlot, ArrayView<double> p, ArrayView<double> q, ArrayView<double> x,
        ArrayView<double> r, ArrayView<double> z, ArrayView<double> inverseDiagonal, int jacobi, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        double alpha = scalars[rzSlot] / scalars[pqSlot];
        if (!(alpha > 0 && alpha <= double.MaxValue)) alpha = 0;
        int n = (int)p.Length;
        int stride = Grid.DimX * Group.DimX;
        double rz = 0, rr = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] += alpha * p[i];
            double ri = r[i] - alpha * q[i];
            r[i] = ri;
            rr += ri * ri;
            if (jacobi != 0)
            {
                double zi = inverseDiagonal[i] * ri;
                z[i] = zi;
                rz += ri * zi;
            }
        }
        if (jacobi == 0) rz = rr;
        int g = Grid.IdxX, groups = Grid.DimX;
        bool first = Group.IsFirstThread;
        rz = ReductionKernels.GroupSum(shared, rz);
        if (first) partials[g] = rz;
        rr = ReductionKernels.GroupSum(shared, rr);
        if (first) partials[groups + g] = rr;
        ReductionKernels.FoldInLastGroup(shared, partials, 2, arrivals, output);
    }

    /// <summary>y ← y − f x with f = scalars[numerator] / scalars[denominator] (0 unless finite); output[0] = ‖y‖².</summary>
    public static void ScaledAxpyNorm(
        ArrayView<double> scalars, int numerator, int denominator, ArrayView<double> x, ArrayView<double> y, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        double factor = scalars[numerator] / scalars[denominator];
        if (!(factor >= -double.MaxValue && factor <= double.MaxValue)) factor = 0;
        int n = (int)x.Length;
        int stride = Grid.DimX * Group.DimX;
        double s = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            double yi = y[i] - factor * x[i];
            y[i] = yi;
            s += yi * yi;
        }
        s = ReductionKernels.GroupSum(shared, s);
        if (Group.IsFirstThread) partials[Grid.IdxX] = s;
        ReductionKernels.FoldInLastGroup(shared, partials, 1, arrivals, output);
    }

    /// <summary>
    /// BiCGStab's update: α = scalars[rhoOld] / scalars[rHatV], ω = scalars[ts] / scalars[tt] (0 unless finite);
    /// x ← x + α p̂ + ω ŝ, r ← r − ω t (ŝ may be r: each element is read before it is written); output[0] = r̂ᵀr,
    /// output[1] = rᵀr.
    /// </summary>
    public static void BiCgStabUpdate(
        ArrayView<double> scalars, int rhoOld, int rHatV, int ts, int tt, ArrayView<double> pHat, ArrayView<double> sHat,
        ArrayView<double> t, ArrayView<double> x, ArrayView<double> r, ArrayView<double> rHat, ArrayView<double> partials, ArrayView<int> arrivals, ArrayView<double> output)
    {
        var shared = SharedMemory.Allocate<double>(ReductionKernels.MaxGroupSize);
        double alpha = scalars[rhoOld] / scalars[rHatV];
        if (!(alpha >= -double.MaxValue && alpha <= double.MaxValue)) alpha = 0;
        double omega = scalars[ts] / scalars[tt];
        if (!(omega >= -double.MaxValue && omega <= double.MaxValue)) omega = 0;
        int n = (int)x.Length;
        int stride = Grid.DimX * Group.DimX;
        double rho = 0, rr = 0;
        for (int i = Grid.GlobalIndex.X; i < n; i += stride)
        {
            x[i] += alpha * pHat[i] + omega * sHat[i];
            double ri = r[i] - omega * t[i];
            r[i] = ri;
            rho += rHat[i] * ri;
            rr += ri * ri;
        }
        int g = Grid.IdxX, groups = Grid.DimX;
        bool first = Group.IsFirstThread;
        rho = ReductionKernels.GroupSum(shared, rho);
        if (first) partials[g] = rho;
        rr = ReductionKernels.GroupSum(shared, rr);
        if (first) partials[groups + g] = rr;
        ReductionKernels.FoldInLastGroup(shared, partials, 2, arrivals, output);
    }
}
