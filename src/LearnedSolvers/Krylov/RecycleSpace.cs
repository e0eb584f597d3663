using LearnedSolvers.Devices;

namespace LearnedSolvers.Krylov;

/// <summary>
/// The recycle space of GCRO-DR (Parks, de Sturler, Mackey, Johnson and Maiti, SIAM J. Sci. Comput. 28, 2006): k
/// device vector pairs U_k, C_k with C_k = B U_k and C_kᵀ C_k = I, where B is the operator the Krylov method sees
/// (A M with right preconditioning, so U_k lives in the preconditioned variable). It outlives a solve: the next
/// right-hand side projects onto it, the next operator re-orthonormalizes it (<see cref="Rebuild"/>).
/// </summary>
/// <remarks>
/// A new space is a combination of the old one and the last cycle's Krylov basis, so it is written into a second set
/// of buffers (<see cref="NextU"/>, <see cref="NextC"/>) and swapped in by <see cref="Commit"/>: 4 x capacity device
/// vectors in all, every one allocated up front.
/// </remarks>
internal sealed class RecycleSpace : IDisposable
{
    /// <summary>A column of A M U whose part outside the previous columns is below this fraction of its norm is dropped.</summary>
    private const double DependenceTolerance = 1e-12;

    private readonly Device _device;
    private DeviceVector[] _u, _c, _nextU, _nextC;
    private readonly double[] _scale, _coefficients, _secondPass;

    public RecycleSpace(Device device, int size, int capacity)
    {
        _device = device;
        Capacity = capacity;
        _u = Allocate(device, size, capacity);
        _c = Allocate(device, size, capacity);
        _nextU = Allocate(device, size, capacity);
        _nextC = Allocate(device, size, capacity);
        _scale = new double[capacity];
        _coefficients = new double[capacity];
        _secondPass = new double[capacity];
    }

    /// <summary>The most vector pairs the space can hold.</summary>
    public int Capacity { get; }

    /// <summary>k, the pairs held now (0: no space yet).</summary>
    public int Dimension { get; private set; }

    /// <summary>U_k (the first <see cref="Dimension"/> entries).</summary>
    public IReadOnlyList<DeviceVector> U => _u;

    /// <summary>C_k = B U_k, orthonormal (the first <see cref="Dimension"/> entries).</summary>
    public IReadOnlyList<DeviceVector> C => _c;

    /// <summary>D_k of the paper: 1/‖u_i‖, so U_k D_k has unit columns and the cycle matrix G is well scaled.</summary>
    public ReadOnlySpan<double> Scale => _scale.AsSpan(0, Dimension);

    /// <summary>Buffers for the next U_k; read the current one while writing these.</summary>
    public DeviceVector[] NextU => _nextU;

    /// <summary>Buffers for the next C_k.</summary>
    public DeviceVector[] NextC => _nextC;

    public void Clear() => Dimension = 0;

    /// <summary>Makes the first <paramref name="dimension"/> next buffers the space (B·NextU = NextC is the caller's promise).</summary>
    public void Commit(int dimension)
    {
        (_u, _nextU) = (_nextU, _u);
        (_c, _nextC) = (_nextC, _c);
        Dimension = dimension;
        UpdateScale();
    }

    /// <summary>
    /// r ← (I − C Cᵀ) r and correction ← U Cᵀ r (of the r passed in): the step x₁ = x₀ + U Cᵀ r₀ of the paper, which
    /// leaves the residual orthogonal to range(C). Returns ‖r‖ after. C is orthonormal to rounding, so one pass
    /// suffices unless it cancelled severely (<see cref="GramSchmidt.CancellationLimit"/>), as in the Arnoldi steps.
    /// </summary>
    public double Project(DeviceVector r, DeviceVector correction)
    {
        int k = Dimension;
        var coefficients = _coefficients.AsSpan(0, k);
        double norm = GramSchmidt.OrthogonalizeAfterBlock(_device, _c, k, k, _c, r, coefficients, _secondPass); // a block and no Krylov part
        _device.Fill(correction, 0);
        _device.MultiAxpyAdd(_u, k, coefficients, correction);
        return norm;
    }

    /// <summary>
    /// After the operator or preconditioner changed: C ← B U, then the QR C = Q R by Gram–Schmidt with
    /// reorthogonalization, C ← Q and U ← U R⁻¹ (in place, column by column, since U_old = U_new R is triangular).
    /// Columns that became dependent are dropped. Returns the number of products with A it took.
    /// </summary>
    public int Rebuild(ILinearOperator a, IPreconditioner? preconditioner, DeviceVector scratch)
    {
        int kept = 0, products = 0;
        for (int i = 0; i < Dimension; i++)
        {
            (_u[kept], _u[i]) = (_u[i], _u[kept]);
            var u = _u[kept];
            var c = _c[kept];
            if (preconditioner is null)
            {
                a.Apply(u, c);
            }
            else
            {
                preconditioner.Apply(u, scratch);
                a.Apply(scratch, c);
            }
            products++;
            double before = _device.Norm2(c);
            var coefficients = _coefficients.AsSpan(0, kept);
            var second = _secondPass.AsSpan(0, kept);
            _device.MultiDot(_c, kept, c, coefficients);
            _device.MultiAxpy(_c, kept, coefficients, c);
            _device.MultiDot(_c, kept, c, second);
            _device.MultiAxpy(_c, kept, second, c);
            double diagonal = _device.Norm2(c);
            if (!double.IsFinite(diagonal) || !(diagonal > DependenceTolerance * before)) continue;
            for (int l = 0; l < kept; l++) coefficients[l] += second[l];
            _device.Scale(1 / diagonal, c);
            _device.MultiAxpy(_u, kept, coefficients, u);
            _device.Scale(1 / diagonal, u);
            kept++;
        }
        Dimension = kept;
        UpdateScale();
        return products;
    }

    /// <summary>max |C_kᵀ C_k − I| over the entries (diagnostics and tests; allocates).</summary>
    public double OrthonormalityDefect()
    {
        int k = Dimension;
        var column = new double[k];
        double worst = 0;
        for (int j = 0; j < k; j++)
        {
            _device.MultiDot(_c, k, _c[j], column);
            for (int i = 0; i < k; i++) worst = Math.Max(worst, Math.Abs(column[i] - (i == j ? 1 : 0)));
        }
        return worst;
    }

    private void UpdateScale()
    {
        for (int i = 0; i < Dimension; i++) _scale[i] = 1 / _device.Norm2(_u[i]);
    }

    private static DeviceVector[] Allocate(Device device, int size, int count)
    {
        var v = new DeviceVector[count];
        for (int i = 0; i < count; i++) v[i] = device.Allocate(size);
        return v;
    }

    /// <summary>Releases the four blocks of vectors.</summary>
    public void Dispose()
    {
        foreach (var block in (DeviceVector[][])[_u, _c, _nextU, _nextC])
            foreach (var v in block) v.Dispose();
    }
}
