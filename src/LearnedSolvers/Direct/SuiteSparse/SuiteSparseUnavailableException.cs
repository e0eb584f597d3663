namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// A SuiteSparse factorization was asked for but its library is not usable here: not installed, hidden by
/// <c>LEARNEDSOLVERS_SUITESPARSE=off</c>, or of an unsupported version. The managed factorizations need nothing.
/// </summary>
public sealed class SuiteSparseUnavailableException : InvalidOperationException
{
    /// <summary>Says which component is missing and why (<see cref="SuiteSparseComponent.UnavailableReason"/>).</summary>
    public SuiteSparseUnavailableException(SuiteSparseComponent component)
        : base($"SuiteSparse {component?.Name} is not available: {component?.UnavailableReason}. "
            + "Install libsuitesparse-dev (Debian, Ubuntu) or suite-sparse (Homebrew, conda), or use the managed factorizations.")
    {
        ArgumentNullException.ThrowIfNull(component);
        Component = component;
    }

    /// <summary>The component that could not be used.</summary>
    public SuiteSparseComponent Component { get; }
}
