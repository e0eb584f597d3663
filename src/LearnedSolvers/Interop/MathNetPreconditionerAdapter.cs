using LearnedSolvers.Devices;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNetPreconditioner = MathNet.Numerics.LinearAlgebra.Solvers.IPreconditioner<double>;

namespace LearnedSolvers.Interop;

/// <summary>
/// A MathNet preconditioner (e.g. <c>DiagonalPreconditioner</c>, <c>ILU0Preconditioner</c>, <c>ILUTPPreconditioner</c>)
/// as one of ours, for our Krylov solvers on the CPU device. The MathNet preconditioner is initialized once, here;
/// each <see cref="Apply"/> copies r into a fixed array, calls <c>Approximate</c> through MathNet vectors that wrap
/// fixed arrays, and copies z out, so applying allocates nothing.
/// </summary>
public sealed class MathNetPreconditionerAdapter : IPreconditioner
{
    private readonly MathNetPreconditioner _inner;
    private readonly double[] _rhs, _lhs;
    private readonly DenseVector _rhsVector, _lhsVector;

    /// <param name="preconditioner">The MathNet preconditioner; <c>Initialize(matrix)</c> is called on it here.</param>
    /// <param name="matrix">The square matrix it approximates the inverse of.</param>
    /// <param name="isSymmetric">
    /// Whether M is symmetric, which CG requires. MathNet does not say, so the caller must: true for
    /// <c>DiagonalPreconditioner</c> (with a positive diagonal it is also positive definite); false for the incomplete LU
    /// family, whose M = (LU)⁻¹ is not symmetric even for a symmetric matrix (use GMRES, FCG or BiCGStab with those).
    /// </param>
    public MathNetPreconditionerAdapter(MathNetPreconditioner preconditioner, Matrix<double> matrix, bool isSymmetric = false)
    {
        ArgumentNullException.ThrowIfNull(preconditioner);
        ArgumentNullException.ThrowIfNull(matrix);
        if (matrix.RowCount != matrix.ColumnCount)
            throw new ArgumentException($"The matrix is {matrix.RowCount} x {matrix.ColumnCount}; a preconditioner needs a square one.", nameof(matrix));
        preconditioner.Initialize(matrix);
        _inner = preconditioner;
        Rows = Columns = matrix.RowCount;
        IsSymmetric = isSymmetric;
        _rhs = new double[Rows];
        _lhs = new double[Rows];
        // DenseVector(double[]) binds to the array without copying, so these wrappers see every copy into _rhs.
        _rhsVector = new DenseVector(_rhs);
        _lhsVector = new DenseVector(_lhs);
    }

    /// <summary>The wrapped MathNet preconditioner.</summary>
    public MathNetPreconditioner Inner => _inner;

    public int Rows { get; }
    public int Columns { get; }

    /// <summary>Always the CPU device: MathNet works on managed arrays.</summary>
    public Device Device => Device.Cpu;

    /// <summary>True: MathNet's preconditioners are fixed linear operators once initialized.</summary>
    public bool IsLinear => true;

    /// <summary>As declared by the caller at construction (MathNet cannot tell).</summary>
    public bool IsSymmetric { get; }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        Device.Check(x, Rows, nameof(x));
        Device.Check(y, Rows, nameof(y));
        CpuVector.SpanOf(x, nameof(MathNetPreconditionerAdapter)).CopyTo(_rhs);
        _inner.Approximate(_rhsVector, _lhsVector);
        _lhs.AsSpan().CopyTo(CpuVector.SpanOf(y, nameof(MathNetPreconditionerAdapter)));
    }
}
