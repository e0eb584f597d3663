namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// Open MPI's ABI (4.x and 5.x, libmpi.so.40): a handle is the address of an exported predefined object
/// (MPI_COMM_WORLD is &amp;ompi_mpi_comm_world), a request is a pointer, MPI_IN_PLACE is (void*)1 and
/// MPI_STATUSES_IGNORE is null.
/// </summary>
internal sealed unsafe class OpenMpiLibrary : MpiLibrary
{
    /// <summary>The exported global behind MPI_COMM_WORLD; its presence identifies Open MPI.</summary>
    public const string WorldSymbol = "ompi_mpi_comm_world";

    private static readonly void* InPlace = (void*)1;

    private readonly nint _world, _double, _int, _sum;
    private readonly delegate* unmanaged[Cdecl]<nint, int*, int> _commRank, _commSize;
    private readonly delegate* unmanaged[Cdecl]<void*, void*, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged[Cdecl]<void*, int, nint, void*, int, nint, nint, int> _allgather, _alltoall;
    private readonly delegate* unmanaged[Cdecl]<void*, int, nint, void*, int*, int*, nint, nint, int> _allgatherv;
    private readonly delegate* unmanaged[Cdecl]<void*, int, nint, int, int, nint, nint*, int> _isend, _irecv;
    private readonly delegate* unmanaged[Cdecl]<int, nint*, void*, int> _waitall;
    private readonly delegate* unmanaged[Cdecl]<nint, int> _barrier;
    private readonly delegate* unmanaged[Cdecl]<nint, int, int> _abort;

    /// <param name="library">The loaded libmpi.</param>
    /// <param name="name">The name it was loaded by, for <see cref="MpiLibrary.Description"/>.</param>
    /// <exception cref="EntryPointNotFoundException">A function or predefined handle is missing.</exception>
    public OpenMpiLibrary(nint library, string name) : base(library, $"Open MPI ({name})")
    {
        _world = Export(library, WorldSymbol);
        _double = Export(library, "ompi_mpi_double");
        _int = Export(library, "ompi_mpi_int");
        _sum = Export(library, "ompi_mpi_op_sum");
        _commRank = (delegate* unmanaged[Cdecl]<nint, int*, int>)Export(library, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged[Cdecl]<nint, int*, int>)Export(library, "MPI_Comm_size");
        _allreduce = (delegate* unmanaged[Cdecl]<void*, void*, int, nint, nint, nint, int>)Export(library, "MPI_Allreduce");
        _allgather = (delegate* unmanaged[Cdecl]<void*, int, nint, void*, int, nint, nint, int>)Export(library, "MPI_Allgather");
        _alltoall = (delegate* unmanaged[Cdecl]<void*, int, nint, void*, int, nint, nint, int>)Export(library, "MPI_Alltoall");
        _allgatherv = (delegate* unmanaged[Cdecl]<void*, int, nint, void*, int*, int*, nint, nint, int>)Export(library, "MPI_Allgatherv");
        _isend = (delegate* unmanaged[Cdecl]<void*, int, nint, int, int, nint, nint*, int>)Export(library, "MPI_Isend");
        _irecv = (delegate* unmanaged[Cdecl]<void*, int, nint, int, int, nint, nint*, int>)Export(library, "MPI_Irecv");
        _waitall = (delegate* unmanaged[Cdecl]<int, nint*, void*, int>)Export(library, "MPI_Waitall");
        _barrier = (delegate* unmanaged[Cdecl]<nint, int>)Export(library, "MPI_Barrier");
        _abort = (delegate* unmanaged[Cdecl]<nint, int, int>)Export(library, "MPI_Abort");
    }

    public override MpiAbi Abi => MpiAbi.OpenMpi;

    public override int WorldRank()
    {
        int rank;
        Check(_commRank(_world, &rank), "MPI_Comm_rank");
        return rank;
    }

    public override int WorldSize()
    {
        int size;
        Check(_commSize(_world, &size), "MPI_Comm_size");
        return size;
    }

    public override void AllreduceSum(double* values, int count) =>
        Check(_allreduce(InPlace, values, count, _double, _sum, _world), "MPI_Allreduce");

    public override void Allgather(void* send, int count, MpiDatatype type, void* receive) =>
        Check(_allgather(send, count, Handle(type), receive, count, Handle(type), _world), "MPI_Allgather");

    public override void Allgatherv(double* send, int count, double* receive, int* counts, int* displacements) =>
        Check(_allgatherv(send, count, _double, receive, counts, displacements, _double, _world), "MPI_Allgatherv");

    public override void AlltoallInt(int* send, int* receive) =>
        Check(_alltoall(send, 1, _int, receive, 1, _int, _world), "MPI_Alltoall");

    public override MpiRequests CreateRequests(int capacity) => new Requests(capacity);

    public override void Isend(void* buffer, int count, MpiDatatype type, int destination, int tag, MpiRequests requests)
    {
        var set = (Requests)requests;
        nint* slot = set.Next();
        Check(_isend(buffer, count, Handle(type), destination, tag, _world, slot), "MPI_Isend");
        set.Commit();
    }

    public override void Irecv(void* buffer, int count, MpiDatatype type, int source, int tag, MpiRequests requests)
    {
        var set = (Requests)requests;
        nint* slot = set.Next();
        Check(_irecv(buffer, count, Handle(type), source, tag, _world, slot), "MPI_Irecv");
        set.Commit();
    }

    public override void WaitAll(MpiRequests requests)
    {
        var set = (Requests)requests;
        if (set.Count == 0) return;
        fixed (nint* handles = set.Handles) Check(_waitall(set.Count, handles, null), "MPI_Waitall");
        set.Clear();
    }

    public override void Barrier() => Check(_barrier(_world), "MPI_Barrier");

    public override void Abort(int errorCode) => _abort(_world, errorCode);

    private nint Handle(MpiDatatype type) => type switch
    {
        MpiDatatype.Double => _double,
        MpiDatatype.Int32 => _int,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown MPI datatype."),
    };

    /// <summary>Open MPI requests: pointers, in an array pinned for its lifetime so MPI may hold their addresses.</summary>
    private sealed class Requests(int capacity) : MpiRequests(capacity)
    {
        public readonly nint[] Handles = GC.AllocateArray<nint>(capacity, pinned: true);

        public nint* Next()
        {
            CheckRoom();
            return (nint*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Handles[Count]);
        }

        public void Commit() => Count++;
    }
}
