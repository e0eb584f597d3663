namespace LearnedSolvers.Cli;

/// <summary>Process exit codes, documented in `learnedsolvers --help` and README.md.</summary>
internal static class ExitCodes
{
    /// <summary>Success (for solve: converged).</summary>
    public const int Success = 0;

    /// <summary>The solver ran but did not converge; its report says why.</summary>
    public const int NotConverged = 1;

    /// <summary>Bad arguments or a bad input file.</summary>
    public const int BadInput = 2;

    /// <summary>The preconditioner could not be built (e.g. a zero pivot in an incomplete factorization).</summary>
    public const int SetupFailed = 3;

    /// <summary>
    /// An internal error: an exception no input check foresaw. One line on stderr; `--debug` adds the stack trace.
    /// </summary>
    public const int InternalError = 4;

    /// <summary>
    /// Stopped by Ctrl-C (128 + SIGINT, as shells report it) between units of work; one line on stderr says what was kept.
    /// </summary>
    public const int Interrupted = 130;
}
