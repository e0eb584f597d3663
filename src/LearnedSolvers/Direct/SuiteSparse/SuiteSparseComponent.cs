namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>One SuiteSparse library as found (or not) at run time: KLU, UMFPACK, CHOLMOD or AMD.</summary>
/// <param name="Name">The component's name ("KLU", "UMFPACK", "CHOLMOD", "AMD").</param>
/// <param name="IsAvailable">True when the library loaded and every function this package calls was found in it.</param>
/// <param name="LibraryName">The file name that loaded (e.g. libklu.so.1), or null when none did.</param>
/// <param name="Version">The version the library reports about itself, or null where it has no such function (KLU, UMFPACK and AMD before SuiteSparse 7).</param>
/// <param name="UnavailableReason">Why the component cannot be used, or null when it can.</param>
public sealed record SuiteSparseComponent(string Name, bool IsAvailable, string? LibraryName, Version? Version, string? UnavailableReason)
{
    /// <inheritdoc/>
    public override string ToString() =>
        IsAvailable ? $"{Name}: {LibraryName}{(Version is null ? "" : $" (version {Version})")}" : $"{Name}: unavailable ({UnavailableReason})";
}
