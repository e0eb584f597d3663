using System.Runtime.InteropServices;

namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// The MPI calls the distributed layer needs, bound at run time to the system's MPI library. MPI fixes the C API but
/// not the ABI: Open MPI's handles (communicators, datatypes, operations, requests) are pointers to exported globals,
/// MPICH's are integers baked into mpi.h. Each implementation is one subclass holding its own handles; callers see
/// only these operations. Open MPI is bound (<see cref="OpenMpiLibrary"/>); an MPICH subclass would resolve the same
/// functions and use its integer handles, its MPI_IN_PLACE of −1 and its int request arrays.
/// </summary>
internal abstract unsafe class MpiLibrary
{
    /// <summary>The environment variable that names the MPI shared library to load instead of the usual sonames.</summary>
    public const string LibraryVariable = "LEARNEDSOLVERS_MPI_LIBRARY";

    private static readonly string[] Candidates = ["libmpi.so.40", "libmpi.so", "libmpi.so.12", "libmpi.dylib"];

    private static readonly Lazy<(MpiLibrary? Library, string Reason)> Loaded = new(Load);

    /// <summary>The bound library, or null; <see cref="UnavailableReason"/> then says why.</summary>
    public static MpiLibrary? Instance => Loaded.Value.Library;

    /// <summary>Why no library is bound ("" when one is).</summary>
    public static string UnavailableReason => Loaded.Value.Reason;

    /// <summary>The library as found: implementation, path.</summary>
    public abstract string Description { get; }

    public abstract bool IsInitialized { get; }
    public abstract bool IsFinalized { get; }

    /// <summary>MPI_Init_thread with MPI_THREAD_FUNNELED: only the thread that initialized calls MPI (worker threads compute, never communicate).</summary>
    public abstract void Initialize();

    public abstract void FinalizeMpi();

    public abstract int WorldRank();
    public abstract int WorldSize();

    /// <summary>In-place sum over all ranks of <paramref name="count"/> doubles.</summary>
    public abstract void AllreduceSum(double* values, int count);

    /// <summary>Each rank's <paramref name="count"/> elements, gathered in rank order into every rank's <paramref name="receive"/>.</summary>
    public abstract void Allgather(void* send, int count, MpiDatatype type, void* receive);

    /// <summary>Each rank's <paramref name="count"/> doubles, gathered in rank order at <paramref name="displacements"/> into every rank's <paramref name="receive"/>.</summary>
    public abstract void Allgatherv(double* send, int count, double* receive, int* counts, int* displacements);

    /// <summary>Element i of <paramref name="send"/> to rank i; element i of <paramref name="receive"/> from rank i.</summary>
    public abstract void AlltoallInt(int* send, int* receive);

    public abstract MpiRequests CreateRequests(int capacity);

    public abstract void Isend(void* buffer, int count, MpiDatatype type, int destination, int tag, MpiRequests requests);

    public abstract void Irecv(void* buffer, int count, MpiDatatype type, int source, int tag, MpiRequests requests);

    /// <summary>Completes every request in <paramref name="requests"/>, then clears it.</summary>
    public abstract void WaitAll(MpiRequests requests);

    public abstract void Barrier();

    public abstract double Wtime();

    /// <summary>MPI_Abort on the world: ends every rank, so a failed rank cannot leave the others waiting in a collective.</summary>
    public abstract void Abort(int errorCode);

    /// <summary>The text MPI gives for an error code.</summary>
    protected abstract string ErrorText(int code);

    /// <summary>Throws <see cref="MpiException"/> unless <paramref name="code"/> is MPI_SUCCESS (0 in every implementation).</summary>
    protected void Check(int code, string call)
    {
        if (code != 0) throw new MpiException(call, code, ErrorText(code));
    }

    /// <summary>A symbol's address, or a clear error naming it.</summary>
    protected static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address)
            ? address
            : throw new EntryPointNotFoundException($"The MPI library exports no '{name}'.");

    private static (MpiLibrary?, string) Load()
    {
        // Never throws: callers ask IsAvailable first, and a process without MPI must still load this assembly.
        var names = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } chosen ? [chosen] : Candidates;
        var failures = new List<string>();
        foreach (var name in names)
        {
            if (!TryOpenGlobal(name, out nint handle, out string error))
            {
                failures.Add($"{name}: {error}");
                continue;
            }
            if (NativeLibrary.TryGetExport(handle, OpenMpiLibrary.WorldSymbol, out _))
            {
                try
                {
                    return (new OpenMpiLibrary(handle, name), "");
                }
                catch (Exception e) when (e is EntryPointNotFoundException)
                {
                    failures.Add($"{name}: {e.Message}");
                    continue;
                }
            }
            failures.Add(NativeLibrary.TryGetExport(handle, "MPI_Init", out _)
                ? $"{name} is an MPI without Open MPI's exported handles (MPICH or a derivative, with integer handles): only Open MPI's ABI is bound"
                : $"{name} exports no MPI_Init");
        }
        return (null, $"no usable MPI library ({string.Join("; ", failures)}); install Open MPI (apt-get install openmpi-bin) or set {LibraryVariable}");
    }

    /// <summary>
    /// Opens the library with RTLD_GLOBAL where the platform has dlopen: Open MPI loads its transport plug-ins as
    /// separate shared objects that resolve symbols of libmpi and libopen-pal against the global namespace.
    /// </summary>
    private static bool TryOpenGlobal(string name, out nint handle, out string error)
    {
        error = "";
        if (OperatingSystem.IsLinux() && NativeLibrary.TryLoad("libc.so.6", out nint libc)
            && NativeLibrary.TryGetExport(libc, "dlopen", out nint dlopen) && NativeLibrary.TryGetExport(libc, "dlerror", out nint dlerror))
        {
            var open = (delegate* unmanaged[Cdecl]<byte*, int, nint>)dlopen;
            var bytes = System.Text.Encoding.UTF8.GetBytes(name + "\0");
            fixed (byte* file = bytes) handle = open(file, RtldNow | RtldGlobal);
            if (handle != 0) return true;
            error = Marshal.PtrToStringUTF8(((delegate* unmanaged[Cdecl]<nint>)dlerror)()) ?? "dlopen failed";
            return false;
        }
        if (NativeLibrary.TryLoad(name, out handle)) return true;
        error = "not found";
        return false;
    }

    private const int RtldNow = 2, RtldGlobal = 0x100;
}
