using LearnedSolvers.Devices;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// Applies a <see cref="TriangularFactor"/> M = L U on any device: z = U⁻¹ (L⁻¹ r), two level-scheduled triangular
/// solves (<see cref="ITriangularSolveKernels"/>). The factor is uploaded once; <see cref="UpdateValues"/> takes new
/// values on the same pattern into the same memory, and the level schedules, which depend on the pattern only, are kept.
/// A warm <see cref="Apply"/> allocates nothing.
/// <para>
/// In <see cref="Precision.Single"/> the factor is held in float and both solves run in float on one float vector:
/// r is rounded to float on the device, solved, and widened back into z. The iteration around it stays in double; M
/// is then the factor rounded to float, still fixed and (for a symmetric factor) symmetric up to that rounding.
/// </para>
/// </summary>
public sealed class TriangularFactorPreconditioner : IPreconditioner, IDisposable
{
    private readonly DeviceTriangularMatrix _lower;
    private readonly DeviceTriangularMatrix _upper;
    private readonly DeviceBuffer<float>? _single;
    private readonly IBufferKernels? _buffers;

    /// <param name="factor">The factor; its arrays are read now and again by <see cref="UpdateValues"/>.</param>
    /// <param name="isSymmetric">Whether M is symmetric (U = Lᵀ, or SSOR of a symmetric matrix): what CG needs to know.</param>
    /// <param name="device">Where the solves run (default: the CPU device).</param>
    /// <param name="precision">The precision the factor is held and applied in.</param>
    /// <exception cref="ZeroPivotException">A stored diagonal entry of L or U is zero.</exception>
    public TriangularFactorPreconditioner(TriangularFactor factor, bool isSymmetric, Device? device = null, Precision precision = Precision.Double)
    {
        ArgumentNullException.ThrowIfNull(factor);
        Factor = factor;
        IsSymmetric = isSymmetric;
        Device = device ?? Device.Cpu;
        Precision = precision;
        Rows = Columns = factor.Size;
        var kernels = Device.Kernels(ITriangularSolveKernels.Family);
        _lower = kernels.Upload(factor.Lower, precision);
        try
        {
            _upper = kernels.Upload(factor.Upper, precision);
            if (precision == Precision.Single)
            {
                _buffers = Device.Kernels(IBufferKernels.Family);
                _single = Device.Allocate<float>(Shape.Vector(factor.Size));
            }
        }
        catch
        {
            _lower.Dispose();
            _upper?.Dispose();
            throw;
        }
    }

    /// <summary>The precision the factor is held and applied in.</summary>
    public Precision Precision { get; }

    /// <summary>The factor applied.</summary>
    public TriangularFactor Factor { get; }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device { get; }
    public bool IsLinear => true;
    public bool IsSymmetric { get; }

    /// <summary>Takes the values now in <see cref="Factor"/>'s arrays (rewritten in place for the same pattern) onto the device.</summary>
    /// <exception cref="ZeroPivotException">A stored diagonal entry of L or U is zero.</exception>
    public void UpdateValues()
    {
        _lower.UpdateValues();
        _upper.UpdateValues();
    }

    /// <summary>y = U⁻¹ (L⁻¹ x); y may be x.</summary>
    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        if (_single is null)
        {
            _lower.Solve(x, y);
            _upper.Solve(y, y);
            return;
        }
        _buffers!.Convert(x, _single);
        _lower.Solve(_single, _single);
        _upper.Solve(_single, _single);
        _buffers.Convert(_single, y);
    }

    /// <summary>Frees the device copies of the factor.</summary>
    public void Dispose()
    {
        _lower.Dispose();
        _upper.Dispose();
        _single?.Dispose();
    }
}
