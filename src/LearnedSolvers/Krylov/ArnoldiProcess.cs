using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>What one Arnoldi step found.</summary>
internal enum ArnoldiOutcome
{
    /// <summary>v_{j+1} was normalized; the cycle can go on.</summary>
    Continue,

    /// <summary>h_{j+1,j} ≈ 0 with a nonsingular least-squares matrix: the Krylov space is invariant and its minimizer is exact.</summary>
    HappyBreakdown,

    /// <summary>The new column of the rotated Hessenberg matrix vanished (A·M is singular on the Krylov space): no progress is possible.</summary>
    SingularBreakdown,

    /// <summary>A NaN or infinity appeared in the new column.</summary>
    NaNOrInfinity,
}

/// <summary>
/// The Arnoldi process that GMRES and FGMRES share (Saad, Iterative Methods for Sparse Linear Systems, Alg. 6.9
/// and 9.6). The orthonormal basis V lives on the device and is orthogonalized by classical Gram–Schmidt with one
/// reorthogonalization pass (<see cref="GramSchmidt"/>). The small (m+1) x m Hessenberg least-squares problem
/// min ‖β e₁ − H y‖ is reduced on the host by Givens rotations as each column arrives, so |g_{j+1}| is the residual
/// norm of the current minimizer without forming it. All host arrays are sized once by the restart length.
/// </summary>
internal sealed class ArnoldiProcess : IDisposable
{
    /// <summary>
    /// h_{j+1,j} (or the rotated diagonal) at most this fraction of ‖A M v_j‖ counts as zero: below it the new
    /// direction is rounding noise, and the residual estimate is already reduced by about this factor.
    /// </summary>
    internal const double BreakdownTolerance = 1e-14;

    private readonly Device _device;
    private readonly int _ld;
    private readonly double[] _h;   // column-major, leading dimension m+1; column j holds R's column j after rotation
    private readonly double[] _cos, _sin, _g, _y, _secondPass;

    public ArnoldiProcess(Device device, int size, int restart)
    {
        _device = device;
        Restart = restart;
        _ld = restart + 1;
        Basis = new DeviceVector[restart + 1];
        for (int i = 0; i <= restart; i++) Basis[i] = device.Allocate(size);
        _h = new double[_ld * restart];
        _cos = new double[restart];
        _sin = new double[restart];
        _g = new double[restart + 1];
        _y = new double[restart];
        _secondPass = new double[restart + 1];
    }

    /// <summary>Steps per cycle (m).</summary>
    public int Restart { get; }

    /// <summary>v_0 … v_m. The caller writes r₀ into v_0 before <see cref="Start"/>, and w = A M v_j into v_{j+1} before <see cref="Step"/>.</summary>
    public DeviceVector[] Basis { get; }

    /// <summary>Begins a cycle: v_0 ← r₀/β, g ← β e₁.</summary>
    public void Start(double beta)
    {
        _device.Scale(1 / beta, Basis[0]);
        Array.Clear(_g);
        _g[0] = beta;
    }

    /// <summary>
    /// Orthogonalizes w = v_{j+1} against v_0 … v_j (<see cref="GramSchmidt"/>), appends column j of H, rotates it, and returns the
    /// least-squares residual norm |g_{j+1}| in <paramref name="residualEstimate"/> (|g_j|, unchanged, after a singular breakdown).
    /// </summary>
    public ArnoldiOutcome Step(int j, out double residualEstimate)
    {
        var w = Basis[j + 1];
        var column = _h.AsSpan(j * _ld, j + 2);
        int count = j + 1;
        double hNext = GramSchmidt.Orthogonalize(_device, Basis, count, w, column[..count], _secondPass);
        double columnSquares = hNext * hNext;
        for (int i = 0; i < count; i++) columnSquares += column[i] * column[i];
        double columnNorm = Math.Sqrt(columnSquares); // = ‖A M v_j‖ up to rounding: the scale breakdowns are judged against
        var outcome = ReduceColumn(column, 0, j, hNext, columnNorm, _cos, _sin, _g, out residualEstimate);
        if (outcome == ArnoldiOutcome.Continue) _device.Scale(1 / hNext, w);
        return outcome;
    }

    /// <summary>
    /// Brings column <paramref name="j"/> of an upper Hessenberg least-squares problem min ‖g − H y‖ to triangular form:
    /// applies the earlier rotations <paramref name="first"/> … j − 1 to <paramref name="column"/> (indexed by row; its
    /// subdiagonal entry is <paramref name="hNext"/>), forms rotation j, and rotates <paramref name="g"/>. Breakdowns are
    /// judged against <paramref name="columnNorm"/>, the norm of the unrotated column. <paramref name="residualEstimate"/>
    /// is |g_{j+1}| after the rotation, or |g_j| when the step stops before it (NaN, singular breakdown). Shared by GMRES
    /// (first = 0) and GCRO-DR (first = k: its recycled block is diagonal already).
    /// </summary>
    internal static ArnoldiOutcome ReduceColumn(Span<double> column, int first, int j, double hNext, double columnNorm,
        Span<double> cos, Span<double> sin, Span<double> g, out double residualEstimate)
    {
        residualEstimate = Math.Abs(g[j]);
        if (!double.IsFinite(columnNorm)) return ArnoldiOutcome.NaNOrInfinity;

        for (int i = first; i < j; i++)
        {
            double top = cos[i] * column[i] + sin[i] * column[i + 1];
            column[i + 1] = -sin[i] * column[i] + cos[i] * column[i + 1];
            column[i] = top;
        }
        double diagonal = double.Hypot(column[j], hNext);
        if (diagonal <= BreakdownTolerance * columnNorm) return ArnoldiOutcome.SingularBreakdown;

        cos[j] = column[j] / diagonal;
        sin[j] = hNext / diagonal;
        column[j] = diagonal;
        column[j + 1] = 0;
        g[j + 1] = -sin[j] * g[j];
        g[j] = cos[j] * g[j];
        residualEstimate = Math.Abs(g[j + 1]);

        return hNext <= BreakdownTolerance * columnNorm ? ArnoldiOutcome.HappyBreakdown : ArnoldiOutcome.Continue;
    }

    /// <summary>The least-squares coefficients y of the first <paramref name="k"/> basis vectors: back substitution R y = g.</summary>
    public ReadOnlySpan<double> Solve(int k)
    {
        for (int i = k - 1; i >= 0; i--)
        {
            double s = _g[i];
            for (int l = i + 1; l < k; l++) s -= _h[l * _ld + i] * _y[l];
            _y[i] = s / _h[i * _ld + i];
        }
        return _y.AsSpan(0, k);
    }

    /// <summary>Releases the basis vectors.</summary>
    public void Dispose()
    {
        foreach (var v in Basis) v.Dispose();
    }
}
