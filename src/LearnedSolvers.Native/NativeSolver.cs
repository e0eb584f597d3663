using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Native;

/// <summary>
/// What <c>ls_solver</c> stands for: a <see cref="SolverSetup"/> (a Krylov method and preconditioner, the direct
/// solver, or auto) for one matrix, and the matrix it keeps alive. It notices a value update of its matrix at the next
/// solve and has the setup redo only what depends on the values. Vectors cross to the context's device and back here.
/// One solve at a time: a second concurrent call is refused with <see cref="NativeStatus.Busy"/>.
/// </summary>
internal sealed class NativeSolver : IDisposable
{
    private readonly NativeMatrix _matrix;
    private readonly SolverSetup _setup;
    private long _version;
    private int _busy;

    private NativeSolver(NativeMatrix matrix, SolverSetup setup, long version)
    {
        _matrix = matrix;
        _setup = setup;
        _version = version;
    }

    /// <summary>The solver <c>ls_solver_create</c> asks for: <paramref name="method"/> is a Krylov method, "direct" or "auto".</summary>
    /// <exception cref="NativeException">An unknown name, a bad option, or a preconditioner the method or device cannot use.</exception>
    public static NativeSolver Create(NativeMatrix matrix, string method, string? preconditioner, string? options)
    {
        matrix.AddUser();
        try
        {
            // The setup reads the values: none may change meanwhile, and an update after this reading is seen at the next solve.
            using var scope = matrix.ReadScope();
            long version = matrix.Version;
            return new NativeSolver(matrix, SolverSetup.Create(matrix.Device, method, preconditioner, options), version);
        }
        catch
        {
            matrix.Release();
            throw;
        }
    }

    public int Rows => _matrix.Host.Rows;

    /// <summary>The method names <c>ls_solver_create</c> accepts.</summary>
    public static IEnumerable<string> Methods => SolverSetup.Methods;

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
            var result = _setup.Solve(db, dx);
            dx.CopyTo(x);
            return result;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    /// <summary>Solves for k column-major right-hand sides with one setup (<see cref="SolverSetup.Solve(DeviceBuffer{double}, DeviceBuffer{double})"/>).</summary>
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
            var result = _setup.Solve(db, dx);
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
        _setup.Dispose();
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
        _setup.UpdateValues();
        _version = version;
    }
}
