using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Learned.Factors;

/// <summary>
/// A learned factor applied on a device: M⁻¹ = L Lᵀ by two triangular solves (NeuralPCG, PreCorrector) or M = Gᵀ G by
/// two SpMVs (learned FSAI). <see cref="UpdateValues"/> runs the model again for new values on the same pattern and
/// writes the factor into the same host arrays and device memory, keeping the level schedules: what a sequence of related
/// systems needs. The model is shared, not owned; one inference runs at a time per model.
/// </summary>
public sealed class LearnedFactorPreconditioner : IRefreshablePreconditioner, IDisposable
{
    private readonly LearnedFactorModel _model;
    private readonly CsrMatrix _pattern;
    private readonly CholeskyFactorPattern? _factor;
    private readonly TriangularFactorPreconditioner? _solves;
    private readonly SparseInverseFactorPreconditioner? _products;

    /// <param name="model">The trained model (not disposed with the preconditioner).</param>
    /// <param name="a">The SPD matrix; its pattern is kept for <see cref="UpdateValues"/>.</param>
    /// <param name="device">Where the factor is applied (default: the CPU device).</param>
    /// <exception cref="ZeroPivotException">A diagonal entry of A is missing or not positive.</exception>
    public LearnedFactorPreconditioner(LearnedFactorModel model, CsrMatrix a, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(a);
        _model = model;
        _pattern = a;
        lock (model)
        {
            if (model.Kind == LearnedFactorKind.LearnedFsai)
                _products = new SparseInverseFactorPreconditioner(new SparseInverseFactor(model.PredictInverseFactor(a)), device);
            else
            {
                _factor = model.PredictFactor(a);
                _solves = new TriangularFactorPreconditioner(_factor.Factor, isSymmetric: true, device);
            }
        }
        Rows = Columns = a.Rows;
    }

    public LearnedFactorKind Kind => _model.Kind;
    public int Rows { get; }
    public int Columns { get; }
    public Device Device => _solves?.Device ?? _products!.Device;
    public bool IsLinear => true;
    public bool IsSymmetric => true;

    /// <summary>Runs the model for <paramref name="a"/> (the same pattern) and takes the new factor onto the device.</summary>
    /// <exception cref="ArgumentException"><paramref name="a"/> has another pattern.</exception>
    public void UpdateValues(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.HasSamePattern(_pattern)) throw new ArgumentException("The matrix does not have the pattern this preconditioner was built for.", nameof(a));
        lock (_model)
        {
            if (_products is not null)
            {
                _model.PredictInverseFactor(a, _products.Factor.G);
                _products.UpdateValues();
            }
            else
            {
                _model.PredictFactor(a, _factor!);
                _solves!.UpdateValues();
            }
        }
    }

    /// <summary>y = M⁻¹ x; y may be x.</summary>
    public void Apply(DeviceVector x, DeviceVector y)
    {
        if (_solves is not null) _solves.Apply(x, y);
        else _products!.Apply(x, y);
    }

    /// <summary>Frees the device copies of the factor.</summary>
    public void Dispose()
    {
        _solves?.Dispose();
        _products?.Dispose();
    }
}
