namespace LearnedSolvers.Cli;

/// <summary>A bad argument the user can fix; reported as one line with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
