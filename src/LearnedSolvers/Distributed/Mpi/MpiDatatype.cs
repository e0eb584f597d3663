namespace LearnedSolvers.Distributed.Mpi;

/// <summary>The element types the binding sends: doubles for vectors and reductions, 32-bit integers for setup (index lists, counts).</summary>
internal enum MpiDatatype
{
    Double,
    Int32,
}
