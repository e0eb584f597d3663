using LearnedSolvers.Auto;
using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Native;

/// <summary>
/// The solver behind one <c>ls_solver</c>, kept up to date with its matrix's values. The method name of
/// <c>ls_solver_create</c> chooses the kind: a Krylov method with a preconditioner (<see cref="KrylovSetup"/>), the
/// sparse direct solver (<see cref="DirectSetup"/>) or the automatic choice (<see cref="AutoSetup"/>). Each kind is an
/// <see cref="ILinearSolver"/> for one right-hand side, solves k of them with one setup, and redoes what depends on
/// the values when told they changed. Not thread-safe: <see cref="NativeSolver"/> lets one call in at a time.
/// </summary>
internal abstract class SolverSetup : IDisposable
{
    /// <summary>The method name of the sparse direct solver.</summary>
    public const string DirectMethod = "direct";

    /// <summary>The method name of the automatic choice.</summary>
    public const string AutoMethod = "auto";

    /// <summary>Every name <see cref="Create"/> accepts, in lower case: the Krylov methods, then direct and auto.</summary>
    public static IEnumerable<string> Methods => KrylovSetup.Names.Append(DirectMethod).Append(AutoMethod);

    /// <summary>
    /// Parses the arguments of <c>ls_solver_create</c> and sets the solver up for <paramref name="a"/>'s current values.
    /// </summary>
    /// <exception cref="NativeException">An unknown method or preconditioner, a bad option, or a preconditioner the method cannot use.</exception>
    public static SolverSetup Create(DeviceCsrMatrix a, string method, string? preconditioner, string? options)
    {
        string name = method.Trim();
        if (name.Equals(DirectMethod, StringComparison.OrdinalIgnoreCase))
        {
            RequireNoPreconditioner(DirectMethod, preconditioner, "it factors A itself");
            return new DirectSetup(a, SolverSettings.Parse(options).Options);
        }
        if (name.Equals(AutoMethod, StringComparison.OrdinalIgnoreCase))
        {
            RequireNoPreconditioner(AutoMethod, preconditioner, "it chooses the preconditioner of each method it tries");
            return new AutoSetup(a, new AutoSolverOptions { Solver = SolverSettings.Parse(options).Options });
        }
        if (KrylovSetup.TryParse(name, out var kind)) return KrylovSetup.Create(a, kind, preconditioner, options);
        throw new NativeException(NativeStatus.UnknownName, $"unknown method '{method}'; expected one of {string.Join(", ", Methods)}");
    }

    /// <summary>The solver for one right-hand side, set up for the values last seen.</summary>
    protected abstract ILinearSolver Solver { get; }

    /// <summary>Solves A x = b; <paramref name="x"/> holds the initial guess (the direct solver ignores it).</summary>
    public SolveResult Solve(DeviceVector b, DeviceVector x) => Solver.Solve(b, x);

    /// <summary>
    /// Solves for the k columns of the blocks [k, n] with one setup: by default column after column with
    /// <see cref="Solver"/> (the direct solver reuses its factors, auto starts each column with the method that
    /// solved the one before).
    /// </summary>
    public virtual BlockSolveResult Solve(DeviceBuffer<double> b, DeviceBuffer<double> x) => Solver.Solve(b, x);

    /// <summary>Redoes the setup that depends on the matrix's values, which have just changed on the same pattern.</summary>
    /// <remarks>When this throws, the old setup must stay usable, so that the next solve can try again.</remarks>
    public abstract void UpdateValues();

    public abstract void Dispose();

    /// <summary>Refuses a preconditioner other than none for a method that takes none.</summary>
    private static void RequireNoPreconditioner(string method, string? preconditioner, string why)
    {
        if (string.IsNullOrWhiteSpace(preconditioner) || preconditioner.Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return;
        throw new NativeException(NativeStatus.Unsupported,
            $"method {method} takes no preconditioner ({why}); pass NULL, \"\" or \"none\" instead of '{preconditioner.Trim()}'");
    }
}
