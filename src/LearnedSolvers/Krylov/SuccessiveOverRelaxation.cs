using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Krylov;

/// <summary>
/// The stationary SOR iteration x_i ← (1 − ω) x_i + ω (b_i − Σ_{j≠i} a_ij x_j) / a_ii, one forward sweep per
/// iteration (Saad, Iterative Methods, §4.1). Not a Krylov method, but it shares the solver contract: the residual
/// is measured after every sweep and confirmed at the end. Its speed depends strongly on ω ∈ (0, 2), which is what
/// <see cref="Sequences.RelaxationTuner"/> learns across a sequence. CPU only; the sweep is serial.
/// </summary>
public sealed class SuccessiveOverRelaxation : KrylovSolver
{
    private readonly CsrMatrix _a;
    private readonly int[] _diagonal;
    private readonly double[] _inverseDiagonal;
    private readonly DeviceVector _r;

    /// <exception cref="ZeroPivotException">A diagonal entry is zero or missing.</exception>
    public SuccessiveOverRelaxation(CsrMatrix a, double omega = 1.0, SolverOptions? options = null)
        : base(Device.Cpu.Upload(a ?? throw new ArgumentNullException(nameof(a))), null, options)
    {
        _a = a;
        _diagonal = new int[a.Rows];
        _inverseDiagonal = new double[a.Rows];
        for (int i = 0; i < a.Rows; i++)
        {
            _diagonal[i] = a.IndexOf(i, i);
            double d = _diagonal[i] >= 0 ? a.Values[_diagonal[i]] : 0;
            if (d == 0) throw new ZeroPivotException(nameof(SuccessiveOverRelaxation), i, d, diagonal: true);
            _inverseDiagonal[i] = 1 / d;
        }
        Omega = omega;
        _r = AllocateVector();
    }

    /// <summary>The relaxation factor ω ∈ (0, 2); may be changed between solves.</summary>
    public double Omega
    {
        get;
        set => field = value > 0 && value < 2 ? value : throw new ArgumentOutOfRangeException(nameof(Omega), value, "SOR's relaxation factor must lie in (0, 2).");
    }

    protected override StopReason Iterate(DeviceVector b, DeviceVector x)
    {
        var rhs = CpuVector.SpanOf(b, nameof(SuccessiveOverRelaxation));
        var solution = CpuVector.SpanOf(x, nameof(SuccessiveOverRelaxation));
        if (StartResidual(b, x, _r, out double norm) is { } stop) return stop;
        int[] rp = _a.RowPointers, ci = _a.ColumnIndices;
        double[] v = _a.Values;
        while (!Monitor.IsConverged(norm))
        {
            if (Monitor.IterationsLeft <= 0) return StopReason.MaxIterations;
            for (int i = 0; i < solution.Length; i++)
            {
                double s = rhs[i];
                for (int k = rp[i]; k < rp[i + 1]; k++) s -= v[k] * solution[ci[k]];
                solution[i] += Omega * s * _inverseDiagonal[i]; // s includes a_ii x_i, so this is the SOR update
            }
            Residual(b, x, _r);
            norm = Device.Norm2(_r);
            Monitor.Record(norm);
            if (!double.IsFinite(norm)) return StopReason.NaNOrInfinity;
        }
        return StopReason.ConvergedRelative;
    }
}
