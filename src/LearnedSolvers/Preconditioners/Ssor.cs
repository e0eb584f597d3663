using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Symmetric successive over-relaxation: M = (D + ωL) D⁻¹ (D + ωU) / (ω(2 − ω)), applied as one forward and one
/// backward Gauss–Seidel sweep with relaxation ω ∈ (0, 2) (Saad, Iterative Methods for Sparse Linear Systems, §10.2).
/// For an SPD matrix M is SPD, so it serves CG. Works on A's own arrays: no factorization, no extra copy of A.
/// CPU only; the sweeps are serial.
/// </summary>
public sealed class Ssor : IPreconditioner
{
    private readonly CsrMatrix _a;
    private readonly int[] _diagonal;
    private readonly double[] _inverseDiagonal;
    private readonly double[] _scaledDiagonal;

    /// <exception cref="ZeroPivotException">A diagonal entry is zero or missing.</exception>
    public Ssor(CsrMatrix a, double omega = 1.0)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"SSOR needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!(omega > 0 && omega < 2)) throw new ArgumentOutOfRangeException(nameof(omega), omega, "SSOR's relaxation factor must lie in (0, 2).");
        _a = a;
        Omega = omega;
        Rows = Columns = a.Rows;
        _diagonal = TriangularSweeps.DiagonalPositions(a, nameof(Ssor));
        _inverseDiagonal = new double[a.Rows];
        _scaledDiagonal = new double[a.Rows];
        double factor = omega * (2 - omega);
        for (int i = 0; i < a.Rows; i++)
        {
            double d = a.Values[_diagonal[i]];
            if (d == 0) throw new ZeroPivotException(nameof(Ssor), i, d);
            _inverseDiagonal[i] = 1 / d;
            _scaledDiagonal[i] = factor * d;
        }
        IsSymmetric = a.IsSymmetric(1e-12); // as IC(0): files written with 16 digits are symmetric only to rounding
    }

    public double Omega { get; }
    public int Rows { get; }
    public int Columns { get; }
    public Device Device => Device.Cpu;
    public bool IsLinear => true;

    /// <summary>True when A is symmetric (then M is too).</summary>
    public bool IsSymmetric { get; }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        var r = CpuVector.SpanOf(x, nameof(Ssor));
        var z = CpuVector.SpanOf(y, nameof(Ssor));
        TriangularSweeps.Forward(_a.RowPointers, _a.ColumnIndices, _a.Values, _diagonal, _inverseDiagonal, Omega, r, z);
        // M⁻¹ = ω(2 − ω) (D + ωU)⁻¹ D (D + ωL)⁻¹: scale between the sweeps, then solve in place.
        for (int i = 0; i < z.Length; i++) z[i] *= _scaledDiagonal[i];
        TriangularSweeps.Backward(_a.RowPointers, _a.ColumnIndices, _a.Values, _diagonal, _inverseDiagonal, Omega, z, z);
    }
}
