using LearnedSolvers.Devices;

namespace LearnedSolvers.Multigrid;

/// <summary>Weighted Jacobi x ← x + ω D⁻¹(b − Ax): symmetric, vector kernels only, so it runs on every device.</summary>
public sealed class JacobiSmoother : ISmoother
{
    private readonly DeviceCsrMatrix _a;
    private readonly DeviceVector _inverseDiagonal, _residual;

    /// <param name="a">The level operator.</param>
    /// <param name="inverseDiagonal">1/a_ii on <paramref name="a"/>'s device.</param>
    /// <param name="weight">ω ∈ (0, 2).</param>
    public JacobiSmoother(DeviceCsrMatrix a, DeviceVector inverseDiagonal, double weight)
    {
        _a = a;
        _inverseDiagonal = inverseDiagonal;
        Weight = weight;
        _residual = a.Device.Allocate(a.Rows);
    }

    public double Weight { get; }

    public void Smooth(DeviceVector b, DeviceVector x, int sweeps, SmoothingStep step, bool zeroGuess)
    {
        var device = _a.Device;
        for (int s = 0; s < sweeps; s++)
        {
            if (zeroGuess && s == 0)
            {
                device.PointwiseMultiply(_inverseDiagonal, b, x);
                device.Scale(Weight, x);
                continue;
            }
            _a.Residual(b, x, _residual);
            device.PointwiseMultiply(_inverseDiagonal, _residual, _residual);
            device.Axpy(Weight, _residual, x);
        }
    }

    public void Dispose() => _residual.Dispose();
}
