namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// MPICH's ABI (MPICH 3.1 and later, libmpich.so.12 or libmpi.so.12; Intel MPI, MVAPICH and Cray MPICH keep it): a
/// handle is a 32-bit integer fixed in mpi.h, a request is an int, MPI_IN_PLACE is (void*)−1 and MPI_STATUSES_IGNORE
/// is (MPI_Status*)1, not null as in Open MPI (MPICH would write statuses through a null pointer). The constants are
/// those of MPICH 4.0's mpi.h, unchanged since the ABI was fixed in 3.1.
/// </summary>
internal sealed unsafe class MpichLibrary : MpiLibrary
{
    private const int World = 0x44000000; // MPI_COMM_WORLD
    private const int Double = 0x4c00080b; // MPI_DOUBLE; bits 8–15 hold its size, 8
    private const int Int = 0x4c000405; // MPI_INT
    private const int Sum = 0x58000003; // MPI_SUM
    private static readonly void* InPlace = (void*)-1;
    private static readonly void* StatusesIgnore = (void*)1;

    private readonly delegate* unmanaged[Cdecl]<int, int*, int> _commRank, _commSize;
    private readonly delegate* unmanaged[Cdecl]<void*, void*, int, int, int, int, int> _allreduce;
    private readonly delegate* unmanaged[Cdecl]<void*, int, int, void*, int, int, int, int> _allgather, _alltoall;
    private readonly delegate* unmanaged[Cdecl]<void*, int, int, void*, int*, int*, int, int, int> _allgatherv;
    private readonly delegate* unmanaged[Cdecl]<void*, int, int, int, int, int, int*, int> _isend, _irecv;
    private readonly delegate* unmanaged[Cdecl]<int, int*, void*, int> _waitall;
    private readonly delegate* unmanaged[Cdecl]<int, int> _barrier;
    private readonly delegate* unmanaged[Cdecl]<int, int, int> _abort;

    /// <param name="library">The loaded library.</param>
    /// <param name="name">The name it was loaded by, for <see cref="MpiLibrary.Description"/>.</param>
    /// <exception cref="EntryPointNotFoundException">A function is missing.</exception>
    public MpichLibrary(nint library, string name) : base(library, $"MPICH ({name})")
    {
        _commRank = (delegate* unmanaged[Cdecl]<int, int*, int>)Export(library, "MPI_Comm_rank");
        _commSize = (delegate* unmanaged[Cdecl]<int, int*, int>)Export(library, "MPI_Comm_size");
        _allreduce = (delegate* unmanaged[Cdecl]<void*, void*, int, int, int, int, int>)Export(library, "MPI_Allreduce");
        _allgather = (delegate* unmanaged[Cdecl]<void*, int, int, void*, int, int, int, int>)Export(library, "MPI_Allgather");
        _alltoall = (delegate* unmanaged[Cdecl]<void*, int, int, void*, int, int, int, int>)Export(library, "MPI_Alltoall");
        _allgatherv = (delegate* unmanaged[Cdecl]<void*, int, int, void*, int*, int*, int, int, int>)Export(library, "MPI_Allgatherv");
        _isend = (delegate* unmanaged[Cdecl]<void*, int, int, int, int, int, int*, int>)Export(library, "MPI_Isend");
        _irecv = (delegate* unmanaged[Cdecl]<void*, int, int, int, int, int, int*, int>)Export(library, "MPI_Irecv");
        _waitall = (delegate* unmanaged[Cdecl]<int, int*, void*, int>)Export(library, "MPI_Waitall");
        _barrier = (delegate* unmanaged[Cdecl]<int, int>)Export(library, "MPI_Barrier");
        _abort = (delegate* unmanaged[Cdecl]<int, int, int>)Export(library, "MPI_Abort");
    }

    public override MpiAbi Abi => MpiAbi.Mpich;

    public override int WorldRank()
    {
        int rank;
        Check(_commRank(World, &rank), "MPI_Comm_rank");
        return rank;
    }

    public override int WorldSize()
    {
        int size;
        Check(_commSize(World, &size), "MPI_Comm_size");
        return size;
    }

    public override void AllreduceSum(double* values, int count) =>
        Check(_allreduce(InPlace, values, count, Double, Sum, World), "MPI_Allreduce");

    public override void Allgather(void* send, int count, MpiDatatype type, void* receive) =>
        Check(_allgather(send, count, Handle(type), receive, count, Handle(type), World), "MPI_Allgather");

    public override void Allgatherv(double* send, int count, double* receive, int* counts, int* displacements) =>
        Check(_allgatherv(send, count, Double, receive, counts, displacements, Double, World), "MPI_Allgatherv");

    public override void AlltoallInt(int* send, int* receive) =>
        Check(_alltoall(send, 1, Int, receive, 1, Int, World), "MPI_Alltoall");

    public override MpiRequests CreateRequests(int capacity) => new Requests(capacity);

    public override void Isend(void* buffer, int count, MpiDatatype type, int destination, int tag, MpiRequests requests)
    {
        var set = (Requests)requests;
        int* slot = set.Next();
        Check(_isend(buffer, count, Handle(type), destination, tag, World, slot), "MPI_Isend");
        set.Commit();
    }

    public override void Irecv(void* buffer, int count, MpiDatatype type, int source, int tag, MpiRequests requests)
    {
        var set = (Requests)requests;
        int* slot = set.Next();
        Check(_irecv(buffer, count, Handle(type), source, tag, World, slot), "MPI_Irecv");
        set.Commit();
    }

    public override void WaitAll(MpiRequests requests)
    {
        var set = (Requests)requests;
        if (set.Count == 0) return;
        fixed (int* handles = set.Handles) Check(_waitall(set.Count, handles, StatusesIgnore), "MPI_Waitall");
        set.Clear();
    }

    public override void Barrier() => Check(_barrier(World), "MPI_Barrier");

    public override void Abort(int errorCode) => _abort(World, errorCode);

    private static int Handle(MpiDatatype type) => type switch
    {
        MpiDatatype.Double => Double,
        MpiDatatype.Int32 => Int,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown MPI datatype."),
    };

    /// <summary>MPICH requests: ints, in an array pinned for its lifetime so MPI may hold their addresses.</summary>
    private sealed class Requests(int capacity) : MpiRequests(capacity)
    {
        public readonly int[] Handles = GC.AllocateArray<int>(capacity, pinned: true);

        public int* Next()
        {
            CheckRoom();
            return (int*)System.Runtime.CompilerServices.Unsafe.AsPointer(ref Handles[Count]);
        }

        public void Commit() => Count++;
    }
}
