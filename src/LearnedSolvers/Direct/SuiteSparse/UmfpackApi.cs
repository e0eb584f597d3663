namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// UMFPACK's C API (umfpack.h, the <c>umfpack_di_*</c> functions: double values, 32-bit indices), bound at run time.
/// Its parameters and statistics travel in plain double arrays (Control, Info) whose indices below are umfpack.h's,
/// unchanged from UMFPACK 5 to 6.
/// </summary>
internal sealed unsafe class UmfpackApi
{
    public const int ControlLength = 20;
    public const int InfoLength = 90;

    // Control indices
    public const int ControlPrintLevel = 0;
    public const int ControlPivotTolerance = 3;
    public const int ControlStrategy = 5;
    public const int ControlIterativeRefinementSteps = 7;
    public const int ControlOrdering = 10;
    public const int ControlSymmetricPivotTolerance = 15;

    // Info indices
    public const int InfoStatus = 0;
    public const int InfoSizeOfUnit = 3;
    public const int InfoStrategyUsed = 18;
    public const int InfoSymmetricLuNonZeros = 36;
    public const int InfoPeakMemoryEstimate = 21;
    public const int InfoLnz = 43;
    public const int InfoUnz = 44;
    public const int InfoUDiagonalNonZeros = 66;

    public const int StrategySymmetric = 3;
    public const int OrderingAmd = 1;
    public const int OrderingNone = 5;

    public const int StatusOk = 0;
    public const int WarningSingularMatrix = 1;
    public const int ErrorOutOfMemory = -1;

    /// <summary>Solve code of A'x = b (the transpose: our row-compressed A is UMFPACK's column-compressed Aᵀ).</summary>
    public const int SystemTranspose = 1;

    public delegate* unmanaged[Cdecl]<double*, void> Defaults;
    public delegate* unmanaged[Cdecl]<int, int, int*, int*, double*, void**, double*, double*, int> Symbolic;
    public delegate* unmanaged[Cdecl]<int*, int*, double*, void*, void**, double*, double*, int> Numeric;
    public delegate* unmanaged[Cdecl]<int, int*, int*, double*, double*, double*, void*, double*, double*, int*, double*, int> WorkspaceSolve;
    public delegate* unmanaged[Cdecl]<int*, int*, double*, int*, int*, double*, int*, int*, double*, int*, double*, void*, int> GetNumeric;
    public delegate* unmanaged[Cdecl]<void**, void> FreeSymbolic;
    public delegate* unmanaged[Cdecl]<void**, void> FreeNumeric;

    /// <summary>Binds every function; null (with the reason) when one is missing or the defaults are not UMFPACK's.</summary>
    public static UmfpackApi? Bind(NativeExports exports, out string? reason)
    {
        var api = new UmfpackApi
        {
            Defaults = (delegate* unmanaged[Cdecl]<double*, void>)exports.Get("umfpack_di_defaults"),
            Symbolic = (delegate* unmanaged[Cdecl]<int, int, int*, int*, double*, void**, double*, double*, int>)exports.Get("umfpack_di_symbolic"),
            Numeric = (delegate* unmanaged[Cdecl]<int*, int*, double*, void*, void**, double*, double*, int>)exports.Get("umfpack_di_numeric"),
            WorkspaceSolve = (delegate* unmanaged[Cdecl]<int, int*, int*, double*, double*, double*, void*, double*, double*, int*, double*, int>)exports.Get("umfpack_di_wsolve"),
            GetNumeric = (delegate* unmanaged[Cdecl]<int*, int*, double*, int*, int*, double*, int*, int*, double*, int*, double*, void*, int>)exports.Get("umfpack_di_get_numeric"),
            FreeSymbolic = (delegate* unmanaged[Cdecl]<void**, void>)exports.Get("umfpack_di_free_symbolic"),
            FreeNumeric = (delegate* unmanaged[Cdecl]<void**, void>)exports.Get("umfpack_di_free_numeric"),
        };
        reason = exports.MissingReason() ?? api.CheckDefaults(exports.LibraryName);
        return reason is null ? api : null;
    }

    /// <summary>umfpack_di_defaults writes umfpack.h's documented defaults; other values mean other indices.</summary>
    private string? CheckDefaults(string libraryName)
    {
        if (sizeof(nint) != 8) return "only 64-bit processes are supported";
        var control = stackalloc double[ControlLength];
        Defaults(control);
        bool matches = control[ControlPivotTolerance] == 0.1 && control[ControlSymmetricPivotTolerance] == 0.001
            && control[ControlIterativeRefinementSteps] == 2 && control[ControlOrdering] == OrderingAmd;
        return matches ? null : $"{libraryName}: umfpack_di_defaults does not write UMFPACK 5/6's Control layout";
    }
}
