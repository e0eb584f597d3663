namespace LearnedSolvers.Distributed.Mpi;

/// <summary>
/// Room for the requests of nonblocking sends and receives posted together and completed by one
/// <see cref="MpiCommunicator.WaitAll"/>. Sized once, so a halo exchange posts its messages without allocating. The
/// storage belongs to the MPI implementation (a request is a pointer in Open MPI, an int in MPICH), hence the
/// subclass per <see cref="MpiLibrary"/>.
/// </summary>
internal abstract class MpiRequests
{
    protected MpiRequests(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        Capacity = capacity;
    }

    /// <summary>Requests this set can hold.</summary>
    public int Capacity { get; }

    /// <summary>Requests posted and not yet completed.</summary>
    public int Count { get; protected set; }

    /// <summary>Forgets the completed requests (after a wait).</summary>
    public void Clear() => Count = 0;

    /// <summary>Throws unless one more request fits.</summary>
    protected void CheckRoom()
    {
        if (Count >= Capacity) throw new InvalidOperationException($"This request set holds {Capacity} requests; wait on them before posting more.");
    }
}
