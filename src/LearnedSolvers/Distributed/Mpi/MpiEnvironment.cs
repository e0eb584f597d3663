namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// MPI for this process: whether a library is there (<see cref="IsAvailable"/>, asked without side effects and never
/// throwing), and its initialization, held until <see cref="Dispose"/> finalizes it. Start it once, on the thread that
/// will make every MPI call (MPI_THREAD_FUNNELED: the CPU device's worker threads compute, never communicate), and run
/// the program under mpirun.
/// </summary>
public sealed class MpiEnvironment : IDisposable
{
    private static readonly object Gate = new();
    private static MpiEnvironment? _current;
    private readonly MpiLibrary _library;
    private readonly bool _ownsInitialization;
    private bool _disposed;

    private MpiEnvironment(MpiLibrary library, bool ownsInitialization)
    {
        _library = library;
        _ownsInitialization = ownsInitialization;
        World = new MpiCommunicator(library);
    }

    /// <summary>True when an MPI library was found and bound (loading it has no other effect).</summary>
    public static bool IsAvailable => MpiLibrary.Instance is not null;

    /// <summary>Why MPI is not available: what was tried and what failed ("" when it is).</summary>
    public static string UnavailableReason => MpiLibrary.UnavailableReason;

    /// <summary>The bound library ("Open MPI (libmpi.so.40)"), or null.</summary>
    public static string? LibraryDescription => MpiLibrary.Instance?.Description;

    /// <summary>All ranks of the job (MPI_COMM_WORLD).</summary>
    public MpiCommunicator World { get; }

    /// <summary>
    /// Initializes MPI (unless the host already did; it then keeps the duty to finalize) and returns the environment.
    /// One environment per process: MPI cannot be initialized again once finalized.
    /// </summary>
    /// <exception cref="MpiUnavailableException">No MPI library was found.</exception>
    /// <exception cref="InvalidOperationException">An environment is already started, or MPI was finalized.</exception>
    public static MpiEnvironment Start()
    {
        var library = MpiLibrary.Instance ?? throw new MpiUnavailableException(MpiLibrary.UnavailableReason);
        lock (Gate)
        {
            if (_current is not null) throw new InvalidOperationException("MPI is already started in this process; use that environment's World.");
            if (library.IsFinalized) throw new InvalidOperationException("MPI was finalized in this process and cannot be initialized again.");
            bool initializeHere = !library.IsInitialized;
            if (initializeHere) library.Initialize();
            return _current = new MpiEnvironment(library, initializeHere);
        }
    }

    /// <summary>Finalizes MPI if <see cref="Start"/> initialized it; every rank must call this (MPI_Finalize is collective).</summary>
    public void Dispose()
    {
        lock (Gate)
        {
            if (_disposed) return;
            _disposed = true;
            _current = null;
            if (_ownsInitialization && !_library.IsFinalized) _library.FinalizeMpi();
        }
    }
}
