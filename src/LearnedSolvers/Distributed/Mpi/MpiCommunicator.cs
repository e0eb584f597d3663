namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// A group of ranks that talk to each other (MPI_COMM_WORLD here): the collectives and point-to-point messages the
/// distributed layer uses. Every collective must be called by all ranks in the same order. Calls come from one thread
/// (the one that started <see cref="MpiEnvironment"/>).
/// </summary>
public sealed unsafe class MpiCommunicator
{
    private readonly MpiLibrary _library;

    internal MpiCommunicator(MpiLibrary library)
    {
        _library = library;
        Rank = library.WorldRank();
        Size = library.WorldSize();
    }

    /// <summary>This process's rank, 0 ≤ Rank &lt; <see cref="Size"/>.</summary>
    public int Rank { get; }

    /// <summary>Ranks in the group.</summary>
    public int Size { get; }

    /// <summary>Point-to-point messages this rank has posted for sending.</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Bytes in the messages this rank has posted for sending.</summary>
    public long BytesSent { get; private set; }

    /// <summary>values ← the element-wise sum of every rank's values (MPI_Allreduce, in place). The summation order is the library's.</summary>
    public void Sum(Span<double> values)
    {
        if (values.IsEmpty) return;
        fixed (double* p = values) _library.AllreduceSum(p, values.Length);
    }

    /// <summary>Every rank's <paramref name="mine"/>, in rank order, into <paramref name="all"/> (Size × mine.Length values).</summary>
    public void Allgather(ReadOnlySpan<double> mine, Span<double> all)
    {
        CheckGather(mine.Length, all.Length);
        fixed (double* send = mine)
        fixed (double* receive = all)
            _library.Allgather(send, mine.Length, MpiDatatype.Double, receive);
    }

    /// <summary>Every rank's <paramref name="mine"/>, in rank order, into <paramref name="all"/> (Size × mine.Length values).</summary>
    public void Allgather(ReadOnlySpan<int> mine, Span<int> all)
    {
        CheckGather(mine.Length, all.Length);
        fixed (int* send = mine)
        fixed (int* receive = all)
            _library.Allgather(send, mine.Length, MpiDatatype.Int32, receive);
    }

    /// <summary>
    /// Every rank's <paramref name="mine"/> (rank r's of length counts[r]) into <paramref name="all"/> at
    /// displacements[r] (MPI_Allgatherv).
    /// </summary>
    public void Allgather(ReadOnlySpan<double> mine, Span<double> all, ReadOnlySpan<int> counts, ReadOnlySpan<int> displacements)
    {
        if (counts.Length != Size || displacements.Length != Size)
            throw new ArgumentException($"counts and displacements need one entry per rank ({Size}); {counts.Length} and {displacements.Length} were given.");
        if (counts[Rank] != mine.Length) throw new ArgumentException($"This rank sends {mine.Length} values but counts[{Rank}] is {counts[Rank]}.", nameof(mine));
        for (int r = 0; r < Size; r++)
            if (counts[r] < 0 || displacements[r] < 0 || (long)displacements[r] + counts[r] > all.Length)
                throw new ArgumentException($"Rank {r}'s {counts[r]} values at {displacements[r]} do not fit in {all.Length}.", nameof(all));
        fixed (double* send = mine)
        fixed (double* receive = all)
        fixed (int* c = counts)
        fixed (int* d = displacements)
            _library.Allgatherv(send, mine.Length, receive, c, d);
    }

    /// <summary>send[r] goes to rank r; receive[r] arrives from rank r (MPI_Alltoall of one int each).</summary>
    public void Alltoall(ReadOnlySpan<int> send, Span<int> receive)
    {
        if (send.Length != Size || receive.Length != Size)
            throw new ArgumentException($"Alltoall needs one entry per rank ({Size}) in both; {send.Length} and {receive.Length} were given.");
        fixed (int* s = send)
        fixed (int* r = receive)
            _library.AlltoallInt(s, r);
    }

    /// <summary>Waits until every rank has called it.</summary>
    public void Barrier() => _library.Barrier();

    /// <summary>Seconds on MPI's wall clock (MPI_Wtime).</summary>
    public double Wtime() => _library.Wtime();

    /// <summary>Ends every rank of the job with <paramref name="errorCode"/> (MPI_Abort): for a rank that failed while others may wait on it.</summary>
    public void Abort(int errorCode) => _library.Abort(errorCode);

    internal MpiRequests CreateRequests(int capacity) => _library.CreateRequests(capacity);

    /// <summary>Posts a send of <paramref name="count"/> elements at <paramref name="buffer"/>, which must stay pinned and unchanged until the wait.</summary>
    internal void PostSend(void* buffer, int count, MpiDatatype type, int destination, int tag, MpiRequests requests)
    {
        CheckPeer(destination);
        _library.Isend(buffer, count, type, destination, tag, requests);
        MessagesSent++;
        BytesSent += (long)count * (type == MpiDatatype.Double ? sizeof(double) : sizeof(int));
    }

    /// <summary>Posts a receive into <paramref name="buffer"/>, which must stay pinned until the wait.</summary>
    internal void PostReceive(void* buffer, int count, MpiDatatype type, int source, int tag, MpiRequests requests)
    {
        CheckPeer(source);
        _library.Irecv(buffer, count, type, source, tag, requests);
    }

    /// <summary>Completes every posted request of the set.</summary>
    internal void WaitAll(MpiRequests requests) => _library.WaitAll(requests);

    private void CheckPeer(int rank)
    {
        if ((uint)rank >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(rank), rank, $"Ranks are 0..{Size - 1}.");
    }

    private void CheckGather(int mine, int all)
    {
        if ((long)mine * Size != all) throw new ArgumentException($"Gathering {mine} values from each of {Size} ranks needs {(long)mine * Size}; {all} were given.");
    }
}
