using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Sequences;

/// <summary>How a <see cref="SequenceSolver"/> solves each system.</summary>
public sealed record SequenceSolverOptions
{
    /// <summary>The Krylov method; a recycling one (GCRO-DR) carries its subspace from system to system.</summary>
    public KrylovMethod Method { get; init; } = KrylovMethod.Gmres;

    /// <summary>Builds each system's preconditioner on the uploaded matrix; a refreshable product is kept and refreshed by value while the pattern stays the same.</summary>
    public IPreconditionerFactory Preconditioner { get; init; } = PreconditionerFactories.None();

    /// <summary>Restart length m of the GMRES family.</summary>
    public int Restart { get; init; } = 40;

    /// <summary>
    /// Recycle dimension k of GCRO-DR. 15 rather than SKR's 20: with m = 40 a cycle then has 25 new Krylov vectors
    /// instead of 20, which 200-system diffusion sequences rewarded (64², rougher family: 178k iterations against
    /// 198k; 128²: 396k against 424k; 64², smoother family: 118k against 115k; benchmarks/RESULTS.md).
    /// </summary>
    public int Recycle { get; init; } = 15;

    public SolverOptions Solver { get; init; } = new(RelativeTolerance: 1e-8);

    /// <summary>Order the systems by SKR's greedy nearest neighbour first (else solve them as given).</summary>
    public bool Sort { get; init; }

    public SequenceDistance Distance { get; init; } = SequenceDistance.CoefficientField;

    /// <summary>Start each solve from the previous system's solution (in solve order) instead of zero: what makes ordering pay even without recycling.</summary>
    public bool WarmStart { get; init; }

    public Device? Device { get; init; }
}

/// <summary>One solved system of a sequence.</summary>
/// <param name="Index">Its place in the input.</param>
/// <param name="Position">Its place in the solve order.</param>
/// <param name="Solution">x on the host.</param>
/// <param name="Result">The solve's result (true residual, reason, history).</param>
/// <param name="MatrixVectorProducts">Products with A, counted at the operator (the initial and true residuals included).</param>
/// <param name="SetupTime">Upload and preconditioner setup or refresh.</param>
public sealed record SequenceStep(int Index, int Position, double[] Solution, SolveResult Result, long MatrixVectorProducts, TimeSpan SetupTime);

/// <summary>
/// Solves a sequence of related systems, keeping state between them: the solver and its workspace, a recycled
/// subspace (GCRO-DR), and a preconditioner refreshed by value when the pattern stays the same. Optionally orders
/// the sequence first (SKR). The enumeration is lazy, so a long run can be consumed as it goes, stopped, and resumed
/// by calling <see cref="Solve"/> again with the remaining systems: the state carries over.
/// </summary>
public sealed class SequenceSolver(SequenceSolverOptions? options = null)
{
    private KrylovSolver? _solver;
    private IPreconditioner? _preconditioner;
    private Sparse.CsrMatrix? _pattern;
    private double[]? _previous;
    private DeviceCsrMatrix? _matrix;

    public SequenceSolverOptions Options { get; } = options ?? new SequenceSolverOptions();

    /// <summary>The order chosen for the last call of <see cref="Solve"/>.</summary>
    public SequenceOrder? LastOrder { get; private set; }

    public IEnumerable<SequenceStep> Solve(IReadOnlyList<LinearSystem> systems)
    {
        ArgumentNullException.ThrowIfNull(systems);
        var order = Options.Sort ? SkrOrdering.Order(systems, Options.Distance) : Natural(systems);
        LastOrder = order;
        return Run(systems, order.Order);
    }

    private static SequenceOrder Natural(IReadOnlyList<LinearSystem> systems)
    {
        var order = Enumerable.Range(0, systems.Count).ToArray();
        return new SequenceOrder(order, double.NaN, double.NaN);
    }

    private IEnumerable<SequenceStep> Run(IReadOnlyList<LinearSystem> systems, int[] order)
    {
        var device = Options.Device ?? Device.Cpu;
        for (int position = 0; position < order.Length; position++)
        {
            var system = systems[order[position]];
            var clock = Stopwatch.StartNew();
            var matrix = device.Upload(system.Matrix);
            var counted = new CountingOperator(matrix);
            var preconditioner = Precondition(system, matrix);
            if (_solver is IRecyclingSolver recycling && _solver.Operator.Rows == system.Size)
                recycling.UpdateOperator(counted, preconditioner);
            else
            {
                _solver?.Dispose(); // its workspace is sized for the previous system
                _solver = KrylovSolvers.Create(Options.Method, counted, preconditioner, Options.Solver, Options.Restart, Options.Recycle);
            }
            // Device memory is released as soon as nothing refers to it: thousands of systems must not pile up on a GPU.
            _matrix?.Dispose();
            _matrix = matrix;
            var setup = clock.Elapsed;
            SolveResult result;
            double[] solution;
            using (var b = device.Upload(system.RightHandSide))
            using (var x = Options.WarmStart && _previous?.Length == system.Size ? device.Upload(_previous) : device.Allocate(system.Size))
            {
                result = _solver.Solve(b, x);
                solution = x.ToArray();
            }
            if (result.Converged) _previous = solution;
            yield return new SequenceStep(order[position], position, solution, result, counted.Count, setup);
        }
    }

    /// <summary>The preconditioner for this system: refreshed by value on the same pattern when it can be, else built anew.</summary>
    private IPreconditioner? Precondition(LinearSystem system, DeviceCsrMatrix matrix)
    {
        if (_preconditioner is IRefreshablePreconditioner refreshable && _pattern is not null && system.Matrix.HasSamePattern(_pattern))
        {
            refreshable.UpdateValues(system.Matrix);
            _pattern = system.Matrix;
            return refreshable;
        }
        (_preconditioner as IDisposable)?.Dispose();
        // A product that multiplies by A shares this system's upload, which outlives it: the next system disposes this
        // product (here) before the upload (in Run).
        _preconditioner = Options.Preconditioner.Create(matrix);
        _pattern = system.Matrix;
        return _preconditioner;
    }
}
