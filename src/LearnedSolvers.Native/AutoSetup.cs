using LearnedSolvers.Auto;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Native;

/// <summary>
/// Method "auto": <see cref="AutoSolver"/>, which reads the matrix's properties and tries the methods that suit them
/// until one meets rtol/atol (maxit caps each attempt). Its setups (factors, hierarchies) and even its plan depend on
/// the values, so an update builds it again.
/// </summary>
internal sealed class AutoSetup(DeviceCsrMatrix a, AutoSolverOptions options) : SolverSetup
{
    private AutoSolver _solver = new(a, options);

    protected override ILinearSolver Solver => _solver;

    public override void UpdateValues()
    {
        var fresh = new AutoSolver(a, options);
        _solver.Dispose();
        _solver = fresh;
    }

    public override void Dispose() => _solver.Dispose();
}
