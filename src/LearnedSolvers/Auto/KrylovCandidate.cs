using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse.Scaling;

namespace LearnedSolvers.Auto;

/// <summary>
/// A Krylov method with a preconditioner as an attempt, on the matrix as given or on a transformed one (permuted and
/// scaled, see <see cref="ScaledPermutedSystem"/>), which it maps right-hand sides into and solutions back out of.
/// </summary>
internal sealed class KrylovCandidate : AutoCandidate
{
    private readonly DeviceCsrMatrix _matrix;
    private readonly bool _ownsMatrix;
    private readonly IPreconditioner? _preconditioner;
    private readonly ScaledPermutedSystem? _transform;
    private readonly KrylovMethod _method;
    private readonly int _restart;
    private readonly DeviceVector _b, _x;
    private readonly double[] _hostB, _hostX;

    /// <param name="matrix">The (transformed) matrix on its device.</param>
    /// <param name="ownsMatrix">Dispose <paramref name="matrix"/> with the candidate (a transformed upload).</param>
    /// <param name="preconditioner">Set up on <paramref name="matrix"/>; disposed with the candidate.</param>
    /// <param name="transform">How <paramref name="matrix"/> came from A (null: it is A).</param>
    /// <param name="method">The Krylov method.</param>
    /// <param name="restart">GMRES's restart length.</param>
    public KrylovCandidate(DeviceCsrMatrix matrix, bool ownsMatrix, IPreconditioner? preconditioner, ScaledPermutedSystem? transform, KrylovMethod method, int restart)
    {
        _matrix = matrix;
        _ownsMatrix = ownsMatrix;
        _preconditioner = preconditioner;
        _transform = transform;
        _method = method;
        _restart = restart;
        _b = matrix.Device.Allocate(matrix.Rows);
        _x = matrix.Device.Allocate(matrix.Rows);
        _hostB = new double[matrix.Rows];
        _hostX = new double[matrix.Rows];
    }

    public override SolveResult Solve(double[] b, double[] x, SolverOptions options)
    {
        if (_transform is null)
        {
            _b.CopyFrom(b);
            _x.CopyFrom(x);
        }
        else
        {
            _transform.TransformRightHandSide(b, _hostB);
            _transform.TransformSolution(x, _hostX);
            _b.CopyFrom(_hostB);
            _x.CopyFrom(_hostX);
        }
        using var solver = KrylovSolvers.Create(_method, _matrix, _preconditioner, options, _restart);
        var result = solver.Solve(_b, _x);
        if (_transform is null) _x.CopyTo(x);
        else
        {
            _x.CopyTo(_hostX);
            _transform.RecoverSolution(_hostX, x);
        }
        return result;
    }

    public override void Dispose()
    {
        (_preconditioner as IDisposable)?.Dispose();
        _b.Dispose();
        _x.Dispose();
        if (_ownsMatrix) _matrix.Dispose();
    }
}
