namespace LearnedSolvers.Distributed.Mpi;

/// <summary>An MPI call returned an error code; the message names the call and gives the library's own text for the code.</summary>
public sealed class MpiException(string call, int errorCode, string detail)
    : Exception($"{call} failed with MPI error {errorCode}: {detail}")
{
    /// <summary>The MPI function that failed (MPI_Isend, ...).</summary>
    public string Call { get; } = call;

    /// <summary>The error code it returned.</summary>
    public int ErrorCode { get; } = errorCode;
}
