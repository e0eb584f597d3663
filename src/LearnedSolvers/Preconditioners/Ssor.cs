using LearnedSolvers.Devices;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Symmetric successive over-relaxation: M = (D + ωL) D⁻¹ (D + ωU) / (ω(2 − ω)) with relaxation ω ∈ (0, 2)
/// (Saad, Iterative Methods for Sparse Linear Systems, §10.2): one forward and one backward Gauss–Seidel sweep.
/// For an SPD matrix M is SPD, so it serves CG.
/// <para>
/// Applied as a <see cref="TriangularFactor"/> with the middle scaling folded into the upper factor:
/// M = (D + ωL) · (I + ωD⁻¹U) / (ω(2 − ω)), a lower factor with diagonal d_i and entries ωa_ij, and an upper factor
/// with diagonal 1/(ω(2 − ω)) and entries ωa_ij / (ω(2 − ω) d_i). The factors are copies of A's triangles, applied on
/// any device by <see cref="TriangularFactorPreconditioner"/>.
/// </para>
/// </summary>
public sealed class Ssor : IPreconditioner, IDisposable
{
    private readonly TriangularFactorPreconditioner _application;

    /// <param name="a">A square matrix with a nonzero diagonal.</param>
    /// <param name="omega">The relaxation factor ω ∈ (0, 2).</param>
    /// <param name="device">Where the preconditioner is applied (default: the CPU device).</param>
    /// <param name="precision">The precision the factor is held and applied in (it is always computed in double).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is zero or missing.</exception>
    public Ssor(CsrMatrix a, double omega = 1.0, Device? device = null, Precision precision = Precision.Double)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"SSOR needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        if (!(omega > 0 && omega < 2)) throw new ArgumentOutOfRangeException(nameof(omega), omega, "SSOR's relaxation factor must lie in (0, 2).");
        Omega = omega;
        Rows = Columns = a.Rows;
        var diagonal = TriangularFactor.DiagonalPositions(a, nameof(Ssor));
        for (int i = 0; i < a.Rows; i++)
            if (a.Values[diagonal[i]] == 0) throw new ZeroPivotException(nameof(Ssor), i, 0, diagonal: true);
        Factor = TriangularFactor.SplitPattern(a, diagonal, unitLower: false, out var lowerSource, out var upperSource);
        double scale = omega * (2 - omega);
        var lower = Factor.Lower;
        for (int i = 0; i < a.Rows; i++)
        {
            int diagonalEntry = lower.RowPointers[i + 1] - 1;
            for (int k = lower.RowPointers[i]; k < diagonalEntry; k++) lower.Values[k] = omega * a.Values[lowerSource[k]];
            lower.Values[diagonalEntry] = a.Values[diagonal[i]];
        }
        var upper = Factor.Upper;
        for (int i = 0; i < a.Rows; i++)
        {
            int diagonalEntry = upper.RowPointers[i];
            double rowScale = scale * a.Values[diagonal[i]];
            upper.Values[diagonalEntry] = 1 / scale;
            for (int k = diagonalEntry + 1; k < upper.RowPointers[i + 1]; k++) upper.Values[k] = omega * a.Values[upperSource[k]] / rowScale;
        }
        IsSymmetric = a.IsSymmetric(1e-12); // as IC(0): files written with 16 digits are symmetric only to rounding
        _application = new TriangularFactorPreconditioner(Factor, IsSymmetric, device, precision);
    }

    public double Omega { get; }

    /// <summary>The lower and upper factors M = L U (see the class remarks for the scaling).</summary>
    public TriangularFactor Factor { get; }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device => _application.Device;
    public bool IsLinear => true;

    /// <summary>True when A is symmetric (then M is too).</summary>
    public bool IsSymmetric { get; }

    /// <summary>z = M⁻¹ r on <see cref="Device"/>.</summary>
    public void Apply(DeviceVector x, DeviceVector y) => _application.Apply(x, y);

    /// <summary>Frees the device copy of the factor.</summary>
    public void Dispose() => _application.Dispose();
}
