using System.Runtime.InteropServices;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// KLU's C API (klu.h, the 32-bit-index <c>klu_*</c> functions), bound at run time. The structures mirror klu.h of
/// KLU 1.3 (SuiteSparse 5) and 2.x (SuiteSparse 7), which declare the same fields; <see cref="CheckLayout"/> confirms
/// the layout against the defaults <c>klu_defaults</c> writes before any factorization trusts it.
/// </summary>
internal sealed unsafe class KluApi
{
    public const int StatusOk = 0;
    public const int StatusSingular = 1;
    public const int StatusOutOfMemory = -2;
    public const int StatusInvalid = -3;
    public const int StatusTooLarge = -4;

    public const int OrderingAmd = 0;
    public const int OrderingColamd = 1;

    public delegate* unmanaged[Cdecl]<KluCommon*, int> Defaults;
    public delegate* unmanaged[Cdecl]<int, int*, int*, KluCommon*, KluSymbolic*> Analyze;
    public delegate* unmanaged[Cdecl]<int, int*, int*, int*, int*, KluCommon*, KluSymbolic*> AnalyzeGiven;
    public delegate* unmanaged[Cdecl]<int*, int*, double*, KluSymbolic*, KluCommon*, KluNumeric*> Factor;
    public delegate* unmanaged[Cdecl]<int*, int*, double*, KluSymbolic*, KluNumeric*, KluCommon*, int> Refactor;
    public delegate* unmanaged[Cdecl]<KluSymbolic*, KluNumeric*, int, int, double*, KluCommon*, int> TransposeSolve;
    public delegate* unmanaged[Cdecl]<KluSymbolic*, KluNumeric*, KluCommon*, int> ReciprocalCondition;
    public delegate* unmanaged[Cdecl]<KluSymbolic**, KluCommon*, int> FreeSymbolic;
    public delegate* unmanaged[Cdecl]<KluNumeric**, KluCommon*, int> FreeNumeric;

    /// <summary>Binds every function; null (with the reason) when one is missing or the layout does not match.</summary>
    public static KluApi? Bind(NativeExports exports, out string? reason)
    {
        var api = new KluApi
        {
            Defaults = (delegate* unmanaged[Cdecl]<KluCommon*, int>)exports.Get("klu_defaults"),
            Analyze = (delegate* unmanaged[Cdecl]<int, int*, int*, KluCommon*, KluSymbolic*>)exports.Get("klu_analyze"),
            AnalyzeGiven = (delegate* unmanaged[Cdecl]<int, int*, int*, int*, int*, KluCommon*, KluSymbolic*>)exports.Get("klu_analyze_given"),
            Factor = (delegate* unmanaged[Cdecl]<int*, int*, double*, KluSymbolic*, KluCommon*, KluNumeric*>)exports.Get("klu_factor"),
            Refactor = (delegate* unmanaged[Cdecl]<int*, int*, double*, KluSymbolic*, KluNumeric*, KluCommon*, int>)exports.Get("klu_refactor"),
            TransposeSolve = (delegate* unmanaged[Cdecl]<KluSymbolic*, KluNumeric*, int, int, double*, KluCommon*, int>)exports.Get("klu_tsolve"),
            ReciprocalCondition = (delegate* unmanaged[Cdecl]<KluSymbolic*, KluNumeric*, KluCommon*, int>)exports.Get("klu_rcond"),
            FreeSymbolic = (delegate* unmanaged[Cdecl]<KluSymbolic**, KluCommon*, int>)exports.Get("klu_free_symbolic"),
            FreeNumeric = (delegate* unmanaged[Cdecl]<KluNumeric**, KluCommon*, int>)exports.Get("klu_free_numeric"),
        };
        reason = exports.MissingReason() ?? api.CheckLayout(exports.LibraryName);
        return reason is null ? api : null;
    }

    /// <summary>
    /// klu_defaults writes known constants (klu_defaults.c): reading them back at our offsets proves the structure
    /// matches, where a library with another layout would otherwise corrupt memory on the first factorization.
    /// </summary>
    private string? CheckLayout(string libraryName)
    {
        if (sizeof(nint) != 8) return "only 64-bit processes are supported";
        KluCommon common = default;
        if (Defaults(&common) != 1) return $"{libraryName}: klu_defaults failed";
        bool matches = common.Tol == 0.001 && common.MemGrow == 1.2 && common.InitMemAmd == 1.2 && common.InitMem == 10
            && common.Btf == 1 && common.Ordering == OrderingAmd && common.Scale == 2 && common.HaltIfSingular == 1
            && common.Status == StatusOk && common.UserOrder == 0;
        return matches ? null : $"{libraryName}: klu_common does not have the layout of KLU 1.3 / 2.x";
    }
}

/// <summary>klu_common (klu.h): the parameters and statistics of every KLU call. 160 bytes on 64-bit platforms.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KluCommon
{
    public double Tol, MemGrow, InitMemAmd, InitMem, MaxWork;
    public int Btf, Ordering, Scale;
    public nint UserOrder, UserData;
    public int HaltIfSingular;
    public int Status, NRealloc, StructuralRank, NumericalRank, SingularColumn, NOffDiagonal;
    public double Flops, RCond, CondEst, RGrowth, Work;
    public nuint MemUsage, MemPeak;
}

/// <summary>klu_symbolic (klu.h): the ordering and block triangular form found by klu_analyze. 96 bytes on 64-bit platforms.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KluSymbolic
{
    /// <summary>Lnz and Unz are estimates that only the AMD ordering computes (−1 otherwise).</summary>
    public double Symmetry, EstFlops, Lnz, Unz;
    public nint LnzPerBlock;
    public int N, Nz;
    public nint P, Q, R;
    public int NzOff, NBlocks, MaxBlock, Ordering, DoBtf, StructuralRank;
}

/// <summary>The leading fields of klu_numeric (klu.h); only read through a pointer KLU allocated.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct KluNumeric
{
    public int N, NBlocks, Lnz, Unz;
}
