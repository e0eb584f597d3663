namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// What one look for SuiteSparse found (<see cref="SuiteSparseLibrary.Probe"/>): each component's library, version and,
/// where it cannot be used, the reason.
/// </summary>
public sealed class SuiteSparseAvailability
{
    internal SuiteSparseAvailability(SuiteSparseComponent klu, SuiteSparseComponent umfpack, SuiteSparseComponent cholmod,
        SuiteSparseComponent amd, Version? version, string? hiddenReason = null,
        KluApi? kluApi = null, UmfpackApi? umfpackApi = null, CholmodApi? cholmodApi = null, AmdApi? amdApi = null)
    {
        Klu = klu;
        Umfpack = umfpack;
        Cholmod = cholmod;
        Amd = amd;
        Version = version;
        KluApi = kluApi;
        UmfpackApi = umfpackApi;
        CholmodApi = cholmodApi;
        AmdApi = amdApi;
        UnavailableReason = IsAvailable ? null
            : hiddenReason ?? string.Join("; ", new[] { klu, umfpack, cholmod, amd }.Select(c => c.UnavailableReason));
    }

    /// <summary>True when at least one component can be used; check <see cref="Klu"/>, <see cref="Umfpack"/>, <see cref="Cholmod"/> and <see cref="Amd"/> for each.</summary>
    public bool IsAvailable => Klu.IsAvailable || Umfpack.IsAvailable || Cholmod.IsAvailable || Amd.IsAvailable;

    /// <summary>Why no component can be used (e.g. "hidden by LEARNEDSOLVERS_SUITESPARSE=off"), or null when one can.</summary>
    public string? UnavailableReason { get; }

    /// <summary>The SuiteSparse release that libsuitesparseconfig reports (e.g. 5.12.0), or null when it was not found.</summary>
    public Version? Version { get; }

    /// <summary>KLU: sparse LU for circuit-like matrices (<see cref="KluFactorization"/>).</summary>
    public SuiteSparseComponent Klu { get; }

    /// <summary>UMFPACK: multifrontal sparse LU (<see cref="UmfpackFactorization"/>).</summary>
    public SuiteSparseComponent Umfpack { get; }

    /// <summary>CHOLMOD: supernodal sparse Cholesky (<see cref="CholmodFactorization"/>).</summary>
    public SuiteSparseComponent Cholmod { get; }

    /// <summary>AMD: approximate minimum degree ordering (<see cref="AmdOrdering"/>).</summary>
    public SuiteSparseComponent Amd { get; }

    internal KluApi? KluApi { get; }
    internal UmfpackApi? UmfpackApi { get; }
    internal CholmodApi? CholmodApi { get; }
    internal AmdApi? AmdApi { get; }

    /// <inheritdoc/>
    public override string ToString() => IsAvailable
        ? $"SuiteSparse {Version?.ToString() ?? "(version unknown)"}: {Klu}; {Umfpack}; {Cholmod}; {Amd}"
        : $"SuiteSparse unavailable: {UnavailableReason}";
}
