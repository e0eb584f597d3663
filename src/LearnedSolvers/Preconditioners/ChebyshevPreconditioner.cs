using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Polynomial preconditioning: z = p(D⁻¹A) D⁻¹ r, the degree-d Chebyshev iteration for A z = r from z = 0 on the
/// interval [λ_max · lowerFraction, 1.1 λ_max] of D⁻¹A's spectrum (Saad, Iterative Methods, §12.3). Built from SpMV
/// and vector kernels only, so it runs where the matrix lives (CPU, CUDA, ILGPU's CPU accelerator) with no
/// triangular solves; symmetric positive definite for SPD A (a polynomial in the symmetric D^-½ A D^-½), so PCG
/// accepts it. Each application costs d SpMVs. It needs only products, residuals and dots, so it runs across MPI
/// ranks on a <see cref="DistributedCsrMatrix"/> as well: a global polynomial, with one halo exchange per SpMV.
/// </summary>
public sealed class ChebyshevPreconditioner : IPreconditioner, IDisposable
{
    private readonly IResidualOperator _a;
    private readonly DeviceCsrMatrix? _owned;
    private readonly DeviceVector _inverseDiagonal;
    private readonly ChebyshevSmoother _iteration;

    /// <param name="a">An SPD matrix with positive diagonal; uploaded to <paramref name="device"/> and owned by this preconditioner.</param>
    /// <param name="degree">Polynomial degree d ≥ 1 (SpMVs per application).</param>
    /// <param name="lowerFraction">λ_min / λ_max of the interval, in (0, 1): smaller covers more of the spectrum.</param>
    /// <param name="device">Where it runs; the CPU device when null.</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is zero.</exception>
    public ChebyshevPreconditioner(CsrMatrix a, int degree = 4, double lowerFraction = 1.0 / 30, Device? device = null)
        : this(Checked(a), null, degree, lowerFraction, device ?? Device.Cpu)
    {
    }

    /// <summary>
    /// Applies the polynomial with the matrix already on its device, so the solver and the preconditioner share one
    /// copy of A. The caller keeps ownership of <paramref name="a"/>: disposing the preconditioner leaves it alone.
    /// </summary>
    /// <param name="a">An SPD matrix with positive diagonal, uploaded; the preconditioner runs on its device.</param>
    /// <param name="degree">Polynomial degree d ≥ 1 (SpMVs per application).</param>
    /// <param name="lowerFraction">λ_min / λ_max of the interval, in (0, 1): smaller covers more of the spectrum.</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is zero.</exception>
    public ChebyshevPreconditioner(DeviceCsrMatrix a, int degree = 4, double lowerFraction = 1.0 / 30)
        : this(Checked(a?.Host!), a, degree, lowerFraction, a?.Device!)
    {
    }

    /// <summary>
    /// The polynomial across the ranks of a row-distributed matrix (collective): each rank takes 1/a_ii from its own
    /// rows, ρ(D⁻¹A) is estimated with the distributed product, and each application's SpMVs exchange halos as the
    /// solver's do. The caller keeps ownership of <paramref name="a"/>.
    /// </summary>
    /// <param name="a">An SPD matrix with positive diagonal, split by rows.</param>
    /// <param name="degree">Polynomial degree d ≥ 1 (SpMVs per application).</param>
    /// <param name="lowerFraction">λ_min / λ_max of the interval, in (0, 1).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry is zero (named by its global row, on the rank that owns it).</exception>
    public ChebyshevPreconditioner(DistributedCsrMatrix a, int degree = 4, double lowerFraction = 1.0 / 30)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        Device = a.Device;
        var inverse = SpectralRadius.InverseDiagonal(a.DiagonalBlock.Host, nameof(ChebyshevPreconditioner), a.Ranks.FirstRow);
        _a = a;
        double rho = SpectralRadius.OfJacobiScaled(a, inverse);
        _inverseDiagonal = Device.Allocate(a.Rows);
        a.Ranks.LocalOf(_inverseDiagonal, nameof(a)).CopyFrom(inverse);
        _iteration = new ChebyshevSmoother(a, _inverseDiagonal, rho, degree, lowerFraction);
        Degree = degree;
        Rows = Columns = a.Rows;
    }

    private ChebyshevPreconditioner(CsrMatrix a, DeviceCsrMatrix? uploaded, int degree, double lowerFraction, Device device)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        Device = device;
        var inverse = SpectralRadius.InverseDiagonal(a, nameof(ChebyshevPreconditioner));
        _owned = uploaded is null ? Device.Upload(a) : null;
        var op = uploaded ?? _owned!;
        _a = op;
        double rho = SpectralRadius.OfJacobiScaled(op, inverse);
        _inverseDiagonal = Device.Upload(inverse);
        _iteration = new ChebyshevSmoother(_a, _inverseDiagonal, rho, degree, lowerFraction);
        Degree = degree;
        Rows = Columns = a.Rows;
    }

    private static CsrMatrix Checked(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a, nameof(a));
        if (!a.IsSquare) throw new ArgumentException($"A Chebyshev preconditioner needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        return a;
    }

    /// <summary>A on <see cref="Device"/>: the operator each application multiplies by (shared when built from an uploaded or distributed matrix).</summary>
    public IResidualOperator Operator => _a;

    public int Degree { get; }
    public int Rows { get; }
    public int Columns { get; }
    public Device Device { get; }
    public bool IsLinear => true;
    public bool IsSymmetric => true;

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        _iteration.Smooth(x, y, sweeps: 1, SmoothingStep.Pre, zeroGuess: true);
    }

    public void Dispose()
    {
        _iteration.Dispose();
        _inverseDiagonal.Dispose();
        _owned?.Dispose();
    }
}
