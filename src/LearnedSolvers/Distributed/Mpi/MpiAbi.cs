namespace LearnedSolvers.Distributed.Mpi;

/// <summary>The binary interfaces the binding speaks; every MPI library in use follows one of the two.</summary>
internal enum MpiAbi
{
    /// <summary>Open MPI 4.x and 5.x (libmpi.so.40): handles are addresses of exported objects.</summary>
    OpenMpi,

    /// <summary>MPICH 3.1 and later, and Intel MPI, MVAPICH and Cray MPICH, which keep its ABI: handles are integers.</summary>
    Mpich,
}
