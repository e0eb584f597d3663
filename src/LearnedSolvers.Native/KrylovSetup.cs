using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Native;

/// <summary>
/// A Krylov method (cg, pcg, fcg, gmres, fgmres, bicgstab, gcrodr) with a preconditioner from the registry. After a
/// value update a refreshable preconditioner refreshes in place and any other is built again; GCRO-DR keeps its
/// recycle space across the update. CG and PCG advance k right-hand sides together (one block SpMV per iteration), as
/// the command line does.
/// </summary>
internal sealed class KrylovSetup : SolverSetup
{
    private readonly DeviceCsrMatrix _a;
    private readonly KrylovMethod _method;
    private readonly IPreconditionerFactory _factory;
    private readonly SolverSettings _settings;
    private IPreconditioner? _preconditioner;
    private KrylovSolver _solver;
    private BlockConjugateGradient? _block;

    private KrylovSetup(DeviceCsrMatrix a, KrylovMethod method, IPreconditionerFactory factory, SolverSettings settings)
    {
        _a = a;
        _method = method;
        _factory = factory;
        _settings = settings;
        _preconditioner = factory.Create(a);
        try
        {
            _solver = NewSolver();
        }
        catch
        {
            (_preconditioner as IDisposable)?.Dispose();
            throw;
        }
    }

    /// <summary>The Krylov method names, in lower case.</summary>
    public static IEnumerable<string> Names => Enum.GetNames<KrylovMethod>().Select(n => n.ToLowerInvariant());

    /// <summary>A Krylov method by name, in any case; numbers are not names.</summary>
    public static bool TryParse(string name, out KrylovMethod method) =>
        Enum.TryParse(name, ignoreCase: true, out method) && Enum.IsDefined(method) && !int.TryParse(name, out _);

    /// <summary>Checks the preconditioner name and the options, then sets both up for <paramref name="a"/>.</summary>
    /// <exception cref="NativeException">An unknown preconditioner, a bad option, or a preconditioner that the device or the method cannot use.</exception>
    public static KrylovSetup Create(DeviceCsrMatrix a, KrylovMethod method, string? preconditioner, string? options)
    {
        // As on the command line: no preconditioner named means none, and jacobi for pcg.
        string name = string.IsNullOrWhiteSpace(preconditioner) ? (method == KrylovMethod.Pcg ? "jacobi" : "none") : preconditioner.Trim();
        if (!PreconditionerRegistry.Contains(name))
            throw new NativeException(NativeStatus.UnknownName, $"unknown preconditioner '{name}'; expected one of {string.Join(", ", PreconditionerRegistry.Names)}");
        var settings = SolverSettings.Parse(options);
        IPreconditionerFactory factory;
        try
        {
            factory = PreconditionerRegistry.Get(name, settings.Preconditioner);
        }
        catch (ArgumentException e)
        {
            throw new NativeException(NativeStatus.InvalidOption, NativeErrors.Describe(e));
        }
        var device = a.Device;
        if (!factory.Supports(device))
            throw new NativeException(NativeStatus.Unsupported, $"preconditioner {factory.Name} runs on {factory.Devices}; this context's device '{device.Name}' is not one of them");
        return new KrylovSetup(a, method, factory, settings);
    }

    protected override ILinearSolver Solver => _solver;

    public override BlockSolveResult Solve(DeviceBuffer<double> b, DeviceBuffer<double> x)
    {
        int k = b.Shape[0];
        if (_method is not (KrylovMethod.Cg or KrylovMethod.Pcg) || k > BlockConjugateGradient.MaxColumns) return base.Solve(b, x);
        if (_block?.Columns != k)
        {
            _block?.Dispose();
            _block = null;
            _block = new BlockConjugateGradient(_a, k, _preconditioner, _settings.Options);
        }
        return _block.Solve(b, x);
    }

    public override void UpdateValues()
    {
        bool rebuilt = false;
        if (_preconditioner is IRefreshablePreconditioner refreshable)
        {
            refreshable.UpdateValues(_a.Host);
        }
        else if (_preconditioner is not null)
        {
            // Built before the old one goes: a failed setup leaves the solver as it was, and the next solve retries.
            var fresh = _factory.Create(_a);
            (_preconditioner as IDisposable)?.Dispose();
            _preconditioner = fresh;
            rebuilt = true;
        }
        _block?.Dispose();
        _block = null;
        if (_solver is GcroDr recycling)
        {
            recycling.UpdateOperator(_a, rebuilt ? _preconditioner : null);
        }
        else
        {
            // Methods may hold values derived from A or M (a Jacobi diagonal in a fused kernel); a new solver costs
            // one workspace allocation, small beside the solve that follows.
            var fresh = NewSolver();
            _solver.Dispose();
            _solver = fresh;
        }
    }

    public override void Dispose()
    {
        _block?.Dispose();
        _solver.Dispose();
        (_preconditioner as IDisposable)?.Dispose();
    }

    private KrylovSolver NewSolver()
    {
        try
        {
            return KrylovSolvers.Create(_method, _a, _preconditioner, _settings.Options, _settings.Restart, _settings.Recycle);
        }
        catch (ArgumentException e)
        {
            throw new NativeException(NativeStatus.Unsupported, $"{_method.ToString().ToLowerInvariant()} cannot use preconditioner {_factory.Name}: {NativeErrors.Describe(e)}");
        }
    }
}
