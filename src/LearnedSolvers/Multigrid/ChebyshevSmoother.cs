using LearnedSolvers.Devices;

namespace LearnedSolvers.Multigrid;

/// <summary>
/// Chebyshev smoothing: the polynomial p(D⁻¹A) of the given degree that is smallest on [λ_min, λ_max], with
/// λ_max = 1.1 ρ(D⁻¹A) and λ_min a fraction of it (0.2 by default), the high-frequency end that multigrid leaves to the smoother
/// (Adams, Brezina, Hu and Tuminaro 2003, "Parallel multigrid smoothing: polynomial versus Gauss–Seidel"; the
/// fraction is chosen by measurement, see <see cref="MultigridOptions.ChebyshevLowerFraction"/>). Three-term recurrence as in Saad, Iterative Methods, Alg. 12.1. A polynomial in
/// D⁻¹A, so symmetric, and built from SpMV and vector kernels only: it runs on every device.
/// </summary>
public sealed class ChebyshevSmoother : ISmoother
{
    private readonly IResidualOperator _a;
    private readonly DeviceVector _inverseDiagonal, _residual, _direction, _scaled;
    private readonly double _theta, _delta;

    /// <param name="a">The level operator (a matrix on one device, or a row-distributed one).</param>
    /// <param name="inverseDiagonal">1/a_ii on <paramref name="a"/>'s device.</param>
    /// <param name="spectralRadius">An estimate of ρ(D⁻¹A).</param>
    /// <param name="degree">SpMVs per sweep (≥ 1).</param>
    /// <param name="lowerFraction">λ_min / λ_max ∈ (0, 1).</param>
    public ChebyshevSmoother(IResidualOperator a, DeviceVector inverseDiagonal, double spectralRadius, int degree, double lowerFraction = 0.2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(degree, 1);
        if (!(spectralRadius > 0) || !double.IsFinite(spectralRadius))
            throw new ArgumentOutOfRangeException(nameof(spectralRadius), spectralRadius, "ρ(D⁻¹A) must be a positive number.");
        _a = a;
        _inverseDiagonal = inverseDiagonal;
        Degree = degree;
        UpperBound = 1.1 * spectralRadius;
        if (!(lowerFraction > 0 && lowerFraction < 1)) throw new ArgumentOutOfRangeException(nameof(lowerFraction), lowerFraction, "λ_min / λ_max must lie in (0, 1).");
        LowerBound = lowerFraction * UpperBound;
        _theta = (UpperBound + LowerBound) / 2;
        _delta = (UpperBound - LowerBound) / 2;
        _residual = a.Device.Allocate(a.Rows);
        _direction = a.Device.Allocate(a.Rows);
        _scaled = a.Device.Allocate(a.Rows);
    }

    public int Degree { get; }
    public double LowerBound { get; }
    public double UpperBound { get; }

    public void Smooth(DeviceVector b, DeviceVector x, int sweeps, SmoothingStep step, bool zeroGuess)
    {
        var device = _a.Device;
        double sigma = _theta / _delta;
        for (int s = 0; s < sweeps; s++)
        {
            if (zeroGuess && s == 0) device.Copy(b, _residual);
            else _a.Residual(b, x, _residual);
            // d = D⁻¹r / θ
            device.PointwiseMultiply(_inverseDiagonal, _residual, _direction);
            device.Scale(1 / _theta, _direction);
            double rho = 1 / sigma;
            for (int k = 1; ; k++)
            {
                if (zeroGuess && s == 0 && k == 1) device.Copy(_direction, x);
                else device.Axpy(1, _direction, x);
                if (k == Degree) break;
                _a.Residual(_residual, _direction, _residual);
                double rhoNext = 1 / (2 * sigma - rho);
                device.PointwiseMultiply(_inverseDiagonal, _residual, _scaled);
                device.Axpby(2 * rhoNext / _delta, _scaled, rhoNext * rho, _direction);
                rho = rhoNext;
            }
        }
    }

    public void Dispose()
    {
        _residual.Dispose();
        _direction.Dispose();
        _scaled.Dispose();
    }
}
