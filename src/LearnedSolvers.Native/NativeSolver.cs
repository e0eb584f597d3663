using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Native;

/// <summary>
/// What <c>ls_solver</c> stands for: a Krylov method and a preconditioner set up for one matrix. It notices a value
/// update of its matrix at the next solve and redoes only the setup that depends on the values: a refreshable
/// preconditioner refreshes in place, any other is built again; GCRO-DR keeps its recycle space across the update.
/// One solve at a time: a second concurrent call is refused with <see cref="NativeStatus.Busy"/>.
/// </summary>
internal sealed class NativeSolver : IDisposable
{
    private readonly NativeMatrix _matrix;
    private readonly KrylovMethod _method;
    private readonly IPreconditionerFactory _factory;
    private readonly SolverSettings _settings;
    private IPreconditioner? _preconditioner;
    private KrylovSolver _solver;
    private SimultaneousConjugateGradient? _block;
    private long _version;
    private int _busy;

    private NativeSolver(NativeMatrix matrix, KrylovMethod method, IPreconditionerFactory factory, SolverSettings settings)
    {
        _matrix = matrix;
        _method = method;
        _factory = factory;
        _settings = settings;
        _version = matrix.Version;
        _preconditioner = factory.Create(matrix.Device);
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

    public static NativeSolver Create(NativeMatrix matrix, string method, string? preconditioner, string? options)
    {
        if (!Enum.TryParse<KrylovMethod>(method.Trim(), ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(method, out _))
            throw new NativeException(NativeStatus.UnknownName, $"unknown method '{method}'; expected one of {string.Join(", ", Methods)}");
        // As on the command line: no preconditioner named means none, and jacobi for pcg.
        string name = string.IsNullOrWhiteSpace(preconditioner) ? (kind == KrylovMethod.Pcg ? "jacobi" : "none") : preconditioner.Trim();
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
        var device = matrix.Device.Device;
        if (!factory.Supports(device))
            throw new NativeException(NativeStatus.Unsupported, $"preconditioner {factory.Name} runs on {factory.Devices}; this context's device '{device.Name}' is not one of them");
        matrix.AddUser();
        try
        {
            return new NativeSolver(matrix, kind, factory, settings);
        }
        catch
        {
            matrix.Release();
            throw;
        }
    }

    public int Rows => _matrix.Host.Rows;

    public static IEnumerable<string> Methods => Enum.GetNames<KrylovMethod>().Select(n => n.ToLowerInvariant());

    /// <summary>Solves A x = b; <paramref name="x"/> holds the initial guess on entry.</summary>
    public SolveResult Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        Enter();
        try
        {
            using var scope = _matrix.ReadScope();
            Refresh();
            var device = _matrix.Device.Device;
            using var db = device.Upload(b);
            using var dx = device.Upload(x);
            var result = _solver.Solve(db, dx);
            dx.CopyTo(x);
            return result;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>
    /// Solves for k column-major right-hand sides with one setup. CG and PCG advance the columns together (one block
    /// SpMV per iteration), as the command line does; the other methods take the columns in turn.
    /// </summary>
    public BlockSolveResult Solve(int k, ReadOnlySpan<double> b, Span<double> x)
    {
        Enter();
        try
        {
            using var scope = _matrix.ReadScope();
            Refresh();
            var device = _matrix.Device.Device;
            var shape = Shape.Block(_matrix.Host.Rows, k);
            using var db = device.Upload(b, shape);
            using var dx = device.Upload<double>(x, shape);
            BlockSolveResult result;
            if (_method is KrylovMethod.Cg or KrylovMethod.Pcg)
            {
                if (_block?.Columns != k)
                {
                    _block?.Dispose();
                    _block = null;
                    _block = new SimultaneousConjugateGradient(_matrix.Device, k, _preconditioner, _settings.Options);
                }
                result = _block.Solve(db, dx);
            }
            else
            {
                result = _solver.Solve(db, dx);
            }
            dx.CopyTo(x);
            return result;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Refused while a solve runs; afterwards the busy flag stays set, so a stale handle's solve is refused too.</summary>
    public void Dispose()
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
            throw new NativeException(NativeStatus.Busy, "the solver is solving on another thread; free it after that solve returns");
        _block?.Dispose();
        _solver.Dispose();
        (_preconditioner as IDisposable)?.Dispose();
        _matrix.Release();
    }

    private void Enter()
    {
        if (Interlocked.Exchange(ref _busy, 1) != 0)
            throw new NativeException(NativeStatus.Busy, "this solver is solving on another thread; use one solver per thread (they may share a matrix)");
    }

    /// <summary>Redoes the value-dependent setup when the matrix's values changed since the last solve.</summary>
    private void Refresh()
    {
        long version = _matrix.Version;
        if (version == _version) return;
        bool rebuilt = false;
        if (_preconditioner is IRefreshablePreconditioner refreshable)
        {
            refreshable.UpdateValues(_matrix.Host);
        }
        else if (_preconditioner is not null)
        {
            // Built before the old one goes: a failed setup leaves the solver as it was, and the next solve retries.
            var fresh = _factory.Create(_matrix.Device);
            (_preconditioner as IDisposable)?.Dispose();
            _preconditioner = fresh;
            rebuilt = true;
        }
        _block?.Dispose();
        _block = null;
        if (_solver is GcroDr recycling)
        {
            recycling.UpdateOperator(_matrix.Device, rebuilt ? _preconditioner : null);
        }
        else
        {
            // Methods may hold values derived from A or M (a Jacobi diagonal in a fused kernel); a new solver costs
            // one workspace allocation, small beside the solve that follows.
            var fresh = NewSolver();
            _solver.Dispose();
            _solver = fresh;
        }
        _version = version;
    }

    private KrylovSolver NewSolver()
    {
        try
        {
            return KrylovSolvers.Create(_method, _matrix.Device, _preconditioner, _settings.Options, _settings.Restart, _settings.Recycle);
        }
        catch (ArgumentException e)
        {
            throw new NativeException(NativeStatus.Unsupported, $"{_method.ToString().ToLowerInvariant()} cannot use preconditioner {_factory.Name}: {NativeErrors.Describe(e)}");
        }
    }
}
