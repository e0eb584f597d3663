using System.Runtime.InteropServices;

namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// The MPI calls the distributed layer needs, bound at run time to the system's MPI library. MPI fixes the C API but
/// not the ABI: Open MPI's handles (communicators, datatypes, operations, requests) are pointers to exported globals,
/// MPICH's are integers baked into mpi.h. Each implementation is one subclass holding its own handles
/// (<see cref="OpenMpiLibrary"/>, <see cref="MpichLibrary"/>); the calls that take no handle are bound here, and
/// callers see only these operations. Which subclass applies is read from the library's exported symbols, since the
/// file name does not tell: libmpi.so.12 is MPICH's on some systems and Intel MPI's on others, and both share the ABI.
/// </summary>
internal abstract unsafe class MpiLibrary
{
    /// <summary>The environment variable that names the MPI shared library to load instead of the usual sonames.</summary>
    public const string LibraryVariable = "LEARNEDSOLVERS_MPI_LIBRARY";

    /// <summary>MPICH's soname where the library is not called libmpi (Debian, Ubuntu).</summary>
    public const string MpichSoname = "libmpich.so.12";

    // Open MPI's soname first: where both are installed, the default mpirun (Debian's alternative) is usually Open MPI's.
    private static readonly string[] Candidates = ["libmpi.so.40", "libmpi.so", "libmpi.so.12", MpichSoname, "libmpi.dylib"];

    // Under an MPICH-family launcher a rank must bind MPICH even where libmpi.so is Open MPI's: ranks that bound the
    // other library would each start as a singleton of one rank, and the job would run P serial copies.
    private static readonly string[] MpichFirst = [MpichSoname, "libmpi.so.12", "libmpi.so", "libmpi.so.40", "libmpi.dylib"];

    // Exported by MPICH and the libraries built from it (Intel MPI, MVAPICH, Cray MPICH) and called from their ROMIO
    // and Fortran layers, so stable across versions. Not MPIR_ in general: Open MPI exports the MPIR_ debugger
    // interface (MPIR_debug_gate) too.
    private static readonly string[] MpichMarkers = ["MPIR_Err_create_code", "MPIR_Err_return_comm"];

    // What MPI_Get_library_version starts with in the MPICH family, for a derivative that hides its internal symbols.
    private static readonly string[] MpichVersionPrefixes = ["MPICH", "Intel(R) MPI", "MVAPICH", "CRAY MPICH"];

    private const int MaxVersionString = 8192; // MPI_MAX_LIBRARY_VERSION_STRING: 8192 in MPICH, 256 in Open MPI
    private const int MaxErrorString = 512; // MPI_MAX_ERROR_STRING: 512 in MPICH, 256 in Open MPI; the larger fits both
    private const int ThreadFunneled = 1; // MPI_THREAD_FUNNELED in both ABIs

    private static readonly Lazy<(MpiLibrary? Library, string Reason)> Loaded = new(Load);

    private readonly delegate* unmanaged[Cdecl]<int*, int> _initialized, _finalized;
    private readonly delegate* unmanaged[Cdecl]<int*, byte***, int, int*, int> _initThread;
    private readonly delegate* unmanaged[Cdecl]<int> _finalize;
    private readonly delegate* unmanaged[Cdecl]<double> _wtime;
    private readonly delegate* unmanaged[Cdecl]<int, byte*, int*, int> _errorString;

    /// <summary>Binds the calls whose signatures are the same in every ABI (no handle in them).</summary>
    /// <param name="library">The loaded library.</param>
    /// <param name="description">What <see cref="Description"/> returns.</param>
    /// <exception cref="EntryPointNotFoundException">A function is missing.</exception>
    protected MpiLibrary(nint library, string description)
    {
        Description = description;
        _initialized = (delegate* unmanaged[Cdecl]<int*, int>)Export(library, "MPI_Initialized");
        _finalized = (delegate* unmanaged[Cdecl]<int*, int>)Export(library, "MPI_Finalized");
        _initThread = (delegate* unmanaged[Cdecl]<int*, byte***, int, int*, int>)Export(library, "MPI_Init_thread");
        _finalize = (delegate* unmanaged[Cdecl]<int>)Export(library, "MPI_Finalize");
        _wtime = (delegate* unmanaged[Cdecl]<double>)Export(library, "MPI_Wtime");
        _errorString = (delegate* unmanaged[Cdecl]<int, byte*, int*, int>)Export(library, "MPI_Error_string");
    }

    /// <summary>The bound library, or null; <see cref="UnavailableReason"/> then says why.</summary>
    public static MpiLibrary? Instance => Loaded.Value.Library;

    /// <summary>Why no library is bound ("" when one is).</summary>
    public static string UnavailableReason => Loaded.Value.Reason;

    /// <summary>The library as found: implementation, path.</summary>
    public string Description { get; }

    /// <summary>The ABI this binding speaks.</summary>
    public abstract MpiAbi Abi { get; }

    public bool IsInitialized
    {
        get
        {
            int flag;
            Check(_initialized(&flag), "MPI_Initialized");
            return flag != 0;
        }
    }

    public bool IsFinalized
    {
        get
        {
            int flag;
            Check(_finalized(&flag), "MPI_Finalized");
            return flag != 0;
        }
    }

    /// <summary>MPI_Init_thread with MPI_THREAD_FUNNELED: only the thread that initialized calls MPI (worker threads compute, never communicate).</summary>
    public void Initialize()
    {
        int provided;
        Check(_initThread(null, null, ThreadFunneled, &provided), "MPI_Init_thread");
    }

    public void FinalizeMpi() => Check(_finalize(), "MPI_Finalize");

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

    public double Wtime() => _wtime();

    /// <summary>MPI_Abort on the world: ends every rank, so a failed rank cannot leave the others waiting in a collective.</summary>
    public abstract void Abort(int errorCode);

    /// <summary>Throws <see cref="MpiException"/> unless <paramref name="code"/> is MPI_SUCCESS (0 in every implementation).</summary>
    protected void Check(int code, string call)
    {
        if (code != 0) throw new MpiException(call, code, ErrorText(code));
    }

    private string ErrorText(int code)
    {
        byte* text = stackalloc byte[MaxErrorString];
        int length = 0;
        return _errorString(code, text, &length) == 0 ? new string((sbyte*)text, 0, length) : "(no text for this code)";
    }

    /// <summary>A symbol's address, or a clear error naming it.</summary>
    protected static nint Export(nint library, string name) =>
        NativeLibrary.TryGetExport(library, name, out var address)
            ? address
            : throw new EntryPointNotFoundException($"The MPI library exports no '{name}'.");

    /// <summary>
    /// The ABI of the MPI library <paramref name="name"/> (a path or soname), or null with the reason, without binding
    /// it as this process's MPI: for a launcher that will load another library than the one this process would.
    /// </summary>
    internal static MpiAbi? Probe(string name, out string reason)
    {
        // A local open: the library's symbols stay out of the global namespace, where they could interpose on the MPI
        // this process binds. Nothing in it is called except MPI_Get_library_version, which MPI allows before MPI_Init.
        if (!NativeLibrary.TryLoad(name, out nint handle))
        {
            reason = $"{name}: not found";
            return null;
        }
        return Identify(handle, name, out reason);
    }

    /// <summary>The ABI of an opened library, read from its exports; never throws.</summary>
    private static MpiAbi? Identify(nint handle, string name, out string reason)
    {
        reason = "";
        if (NativeLibrary.TryGetExport(handle, OpenMpiLibrary.WorldSymbol, out _)) return MpiAbi.OpenMpi;
        if (!NativeLibrary.TryGetExport(handle, "MPI_Init", out _))
        {
            reason = $"{name} exports no MPI_Init";
            return null;
        }
        foreach (var marker in MpichMarkers)
            if (NativeLibrary.TryGetExport(handle, marker, out _)) return MpiAbi.Mpich;
        string version = LibraryVersion(handle);
        foreach (var prefix in MpichVersionPrefixes)
            if (version.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)) return MpiAbi.Mpich;
        reason = $"{name} is an MPI whose ABI is neither Open MPI's nor MPICH's (library version '{version}')";
        return null;
    }

    /// <summary>MPI_Get_library_version's first line, or "" when the library has none (MPI before 3.0).</summary>
    private static string LibraryVersion(nint handle)
    {
        if (!NativeLibrary.TryGetExport(handle, "MPI_Get_library_version", out nint address)) return "";
        byte* text = stackalloc byte[MaxVersionString];
        int length = 0;
        if (((delegate* unmanaged[Cdecl]<byte*, int*, int>)address)(text, &length) != 0) return "";
        string version = new((sbyte*)text, 0, Math.Clamp(length, 0, MaxVersionString));
        int end = version.IndexOfAny(['\n', '\0']);
        return (end < 0 ? version : version[..end]).Trim();
    }

    /// <summary>
    /// True when the process was started by Hydra (mpiexec of MPICH, Intel MPI, MVAPICH) or another PMI-1 launcher:
    /// it sets PMI_RANK, which Open MPI's mpirun does not (it sets OMPI_COMM_WORLD_SIZE and PMIx's variables).
    /// </summary>
    private static bool UnderMpichLauncher() =>
        Environment.GetEnvironmentVariable("PMI_RANK") is not null && Environment.GetEnvironmentVariable("OMPI_COMM_WORLD_SIZE") is null;

    private static (MpiLibrary?, string) Load()
    {
        // Never throws: callers ask IsAvailable first, and a process without MPI must still load this assembly.
        var names = Environment.GetEnvironmentVariable(LibraryVariable) is { Length: > 0 } chosen ? [chosen]
            : UnderMpichLauncher() ? MpichFirst : Candidates;
        var failures = new List<string>();
        foreach (var name in names)
        {
            if (!TryOpenGlobal(name, out nint handle, out string error))
            {
                failures.Add($"{name}: {error}");
                continue;
            }
            var abi = Identify(handle, name, out string reason);
            if (abi is null)
            {
                failures.Add(reason);
                continue;
            }
            try
            {
                return (abi == MpiAbi.OpenMpi ? new OpenMpiLibrary(handle, name) : new MpichLibrary(handle, name), "");
            }
            catch (EntryPointNotFoundException e)
            {
                failures.Add($"{name}: {e.Message}");
            }
        }
        return (null, $"no usable MPI library ({string.Join("; ", failures)}); install Open MPI (apt-get install openmpi-bin) or MPICH, or set {LibraryVariable}");
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
