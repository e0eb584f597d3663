using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>
/// A variable preconditioner for testing flexible methods: each application runs a different number of damped
/// Jacobi sweeps on A z = r from z = 0 (1, 2, 3, 1, 2, 3, …), so consecutive applications are different operators.
/// </summary>
public sealed class VariableJacobiSweeps : IPreconditioner
{
    private const double Damping = 0.8;
    private readonly ILinearOperator _a;
    private readonly Jacobi _jacobi;
    private readonly DeviceVector _t, _u;
    private readonly int _maxSweeps;

    public VariableJacobiSweeps(CsrMatrix a, int maxSweeps = 3, Device? device = null)
    {
        Device = device ?? Device.Cpu;
        _a = Device.Upload(a);
        _jacobi = new Jacobi(a, Device);
        _t = Device.Allocate(a.Rows);
        _u = Device.Allocate(a.Rows);
        _maxSweeps = maxSweeps;
        Rows = Columns = a.Rows;
    }

    public int Rows { get; }
    public int Columns { get; }
    public Device Device { get; }
    public bool IsLinear => false;
    public bool IsSymmetric => false;

    /// <summary>How many times <see cref="Apply"/> ran.</summary>
    public int Applications { get; private set; }

    public void Apply(DeviceVector x, DeviceVector y)
    {
        int sweeps = 1 + Applications++ % _maxSweeps;
        Device.Fill(y, 0);
        for (int s = 0; s < sweeps; s++)
        {
            _a.Apply(y, _t);
            Device.Waxpby(1, x, -1, _t, _t);
            _jacobi.Apply(_t, _u);
            Device.Axpy(Damping, _u, y);
        }
    }
}
