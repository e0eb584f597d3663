namespace LearnedSolvers.Distributed.Mpi;

/// <summary>MPI was asked for where no usable MPI library was found; the message says what was tried and why it failed.</summary>
public sealed class MpiUnavailableException(string reason) : Exception($"MPI is not available: {reason}")
{
    /// <summary>Why the library could not be used, as <see cref="MpiEnvironment.UnavailableReason"/> gives it.</summary>
    public string Reason { get; } = reason;
}
