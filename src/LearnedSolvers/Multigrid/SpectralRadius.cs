using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Multigrid;

/// <summary>Estimates of ρ(D⁻¹A), which weighted Jacobi, Chebyshev and the smoothed prolongator are scaled by.</summary>
internal static class SpectralRadius
{
    /// <summary>1/a_ii per row; a zero or missing diagonal cannot be relaxed.</summary>
    /// <param name="a">The matrix, or a rank's diagonal block.</param>
    /// <param name="usedBy">The algorithm, for the message.</param>
    /// <param name="firstRow">The global number of <paramref name="a"/>'s first row, so that a zero pivot is named by its global row.</param>
    public static double[] InverseDiagonal(CsrMatrix a, string usedBy, int firstRow = 0)
    {
        var d = a.Diagonal();
        for (int i = 0; i < d.Length; i++)
        {
            if (d[i] == 0) throw new ZeroPivotException(usedBy, firstRow + i, d[i], diagonal: true);
            d[i] = 1 / d[i];
        }
        return d;
    }

    /// <summary>
    /// ρ(D⁻¹A) for symmetric A with positive diagonal: the Rayleigh quotient vᵀAv / vᵀDv of the generalized problem
    /// A v = λ D v after <paramref name="steps"/> power iterations v ← D⁻¹A v from a seeded random start, run with
    /// the device's kernels, capped by the Gershgorin bound max_i Σ_j |a_ij| / a_ii, which it approaches from below.
    /// </summary>
    public static double OfJacobiScaled(CsrMatrix a, double[] inverseDiagonal, Device? device = null, int steps = 20) =>
        OfJacobiScaled(a, null, inverseDiagonal, device ?? Device.Cpu, steps);

    /// <summary>As <see cref="OfJacobiScaled(CsrMatrix, double[], Device?, int)"/>, iterating with the matrix already on its device instead of uploading another copy.</summary>
    public static double OfJacobiScaled(DeviceCsrMatrix a, double[] inverseDiagonal, int steps = 20) =>
        OfJacobiScaled(a.Host, a, inverseDiagonal, a.Device, steps);

    private static double OfJacobiScaled(CsrMatrix a, DeviceCsrMatrix? uploaded, double[] inverseDiagonal, Device device, int steps)
    {
        // AMG asks twice per level (prolongator smoothing, then the level's smoother): estimate once per matrix.
        if (Estimates.TryGetValue(a, out var known) && known.Steps == steps) return known.Value;
        double value = Estimate(a, uploaded, inverseDiagonal, device, steps);
        Estimates.AddOrUpdate(a, new Known(value, steps));
        return value;
    }

    private sealed record Known(double Value, int Steps);

    /// <summary>Estimates by matrix object (CSR matrices are read-only once built), released with the matrix.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<CsrMatrix, Known> Estimates = new();

    private static double Estimate(CsrMatrix a, DeviceCsrMatrix? uploaded, double[] inverseDiagonal, Device device, int steps)
    {
        int n = a.Rows;
        double gershgorin = 0;
        var start = new double[n];
        var diagonal = new double[n];
        var rng = new Random(12345);
        for (int i = 0; i < n; i++)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += Math.Abs(a.Values[k]);
            gershgorin = Math.Max(gershgorin, s * Math.Abs(inverseDiagonal[i]));
            diagonal[i] = 1 / inverseDiagonal[i];
            start[i] = rng.NextDouble() + 0.5;
        }
        using var owned = uploaded is null ? device.Upload(a) : null;
        using var inverse = device.Upload(inverseDiagonal);
        using var d = device.Upload(diagonal);
        using var v = device.Upload(start);
        return Capped(gershgorin, Rayleigh(uploaded ?? owned!, device, inverse, d, v, steps));
    }

    /// <summary>
    /// As <see cref="OfJacobiScaled(DeviceCsrMatrix, double[], int)"/> for a row-distributed matrix (collective): each
    /// rank holds its rows' start values and 1/a_ii, the Gershgorin bound is the largest over the ranks, and the power
    /// iteration uses the distributed product and dots. The start vector is the serial one (row i takes the i-th draw
    /// of the same seeded generator), so the estimate does not depend on the number of ranks beyond rounding.
    /// </summary>
    /// <param name="a">The distributed matrix.</param>
    /// <param name="localInverseDiagonal">1/a_ii for this rank's rows.</param>
    /// <param name="steps">Power iterations.</param>
    public static double OfJacobiScaled(DistributedCsrMatrix a, double[] localInverseDiagonal, int steps = 20)
    {
        var ranks = a.Ranks;
        int n = ranks.LocalRows;
        var sums = a.LocalRowAbsoluteSums();
        double gershgorin = 0;
        var start = new double[n];
        var diagonal = new double[n];
        var rng = new Random(12345);
        // Skipping the rows before this rank's costs one draw per row (about 10 ms per million), at setup only.
        for (int i = 0; i < ranks.FirstRow; i++) rng.NextDouble();
        for (int i = 0; i < n; i++)
        {
            gershgorin = Math.Max(gershgorin, sums[i] * Math.Abs(localInverseDiagonal[i]));
            diagonal[i] = 1 / localInverseDiagonal[i];
            start[i] = rng.NextDouble() + 0.5;
        }
        gershgorin = ranks.MaxAcrossRanks(gershgorin);
        using var inverse = ranks.Allocate(a.Rows);
        using var d = ranks.Allocate(a.Rows);
        using var v = ranks.Allocate(a.Rows);
        ranks.LocalOf(inverse, nameof(inverse)).CopyFrom(localInverseDiagonal);
        ranks.LocalOf(d, nameof(d)).CopyFrom(diagonal);
        ranks.LocalOf(v, nameof(v)).CopyFrom(start);
        return Capped(gershgorin, Rayleigh(a, ranks, inverse, d, v, steps));
    }

    /// <summary>The Rayleigh quotient vᵀAv / vᵀDv after <paramref name="steps"/> power iterations v ← D⁻¹A v from <paramref name="v"/> (overwritten); 0 when v vanishes at once.</summary>
    private static double Rayleigh(IFusedApplyDot op, Device device, DeviceVector inverse, DeviceVector d, DeviceVector v, int steps)
    {
        using var q = device.Allocate(op.Rows);
        using var t = device.Allocate(op.Rows);
        double rayleigh = 0;
        for (int step = 0; step < steps; step++)
        {
            double norm = device.Norm2(v);
            if (!(norm > 0) || !double.IsFinite(norm)) break;
            device.Scale(1 / norm, v);
            double vav = op.ApplyAndDot(v, q);
            device.PointwiseMultiply(d, v, t);
            double vdv = device.Dot(v, t);
            rayleigh = vav / vdv;
            device.PointwiseMultiply(inverse, q, v);
        }
        return rayleigh;
    }

    /// <summary>The Rayleigh estimate capped by the Gershgorin bound, which also stands in when the estimate failed.</summary>
    private static double Capped(double gershgorin, double rayleigh) =>
        Math.Min(gershgorin, Math.Abs(rayleigh) > 0 && double.IsFinite(rayleigh) ? Math.Abs(rayleigh) : gershgorin);
}
