using System.Runtime.InteropServices;

namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>
/// CHOLMOD's C API (cholmod.h, the 32-bit-index <c>cholmod_*</c> functions), bound at run time. cholmod_common is
/// large and changes between major versions, so it is never declared here: callers allocate
/// <see cref="CommonBytes"/> zeroed bytes, let cholmod_start fill them, and touch only the fields whose offsets below
/// were read off CHOLMOD 3.0's cholmod_core.h (SuiteSparse 5.x, 64-bit). Only CHOLMOD 3 is bound, and only after
/// <see cref="CheckLayout"/> finds cholmod_start's defaults at those offsets.
/// </summary>
internal sealed unsafe class CholmodApi
{
    /// <summary>Bytes given to cholmod_common: sizeof is 2664 in CHOLMOD 3.0.14; 64 KiB leaves room for any 3.x.</summary>
    public const int CommonBytes = 64 * 1024;

    // cholmod_common field offsets (CHOLMOD 3.0, LP64/LLP64)
    public const int CommonSupernodal = 48;
    public const int CommonFinalLl = 60;
    public const int CommonPrint = 144;
    public const int CommonNMethods = 168;
    public const int CommonMethod0Ordering = 316;
    public const int CommonMethodStride = 168;
    public const int CommonPostorder = 1864;
    public const int CommonIType = 1960;
    public const int CommonStatus = 1972;
    public const int CommonLnz = 1984;

    // cholmod_factor field offsets
    public const int FactorN = 0;
    public const int FactorMinor = 8;
    public const int FactorPerm = 16;
    public const int FactorSsize = 112;
    public const int FactorXsize = 120;
    public const int FactorIsSuper = 184;

    public const int StatusOk = 0;
    public const int StatusNotPositiveDefinite = 1;
    public const int StatusOutOfMemory = -2;
    public const int StatusTooLarge = -3;

    public const int IndexInt = 0;
    public const int ValueDouble = 0;
    public const int XTypeReal = 1;
    public const int OrderingNatural = 0;
    public const int OrderingGiven = 1;
    public const int OrderingAmd = 2;
    public const int SystemA = 0;

    public delegate* unmanaged[Cdecl]<void*, int> Start;
    public delegate* unmanaged[Cdecl]<void*, int> Finish;
    public delegate* unmanaged[Cdecl]<CholmodSparse*, void*, void*> Analyze;
    public delegate* unmanaged[Cdecl]<CholmodSparse*, void*, void*, int> Factorize;
    public delegate* unmanaged[Cdecl]<int, void*, CholmodDense*, void*, CholmodDense**, void**, CholmodDense**, CholmodDense**, void*, int> Solve2;
    public delegate* unmanaged[Cdecl]<void**, void*, int> FreeFactor;
    public delegate* unmanaged[Cdecl]<CholmodDense**, void*, int> FreeDense;

    /// <summary>The version cholmod_version reported.</summary>
    public Version Version { get; private set; } = new();

    /// <summary>Binds every function; null (with the reason) for a CHOLMOD other than 3.x or a layout that does not match.</summary>
    public static CholmodApi? Bind(NativeExports exports, out string? reason, out Version? version)
    {
        version = null;
        var versionOf = (delegate* unmanaged[Cdecl]<int*, int>)exports.Get("cholmod_version");
        var api = new CholmodApi
        {
            Start = (delegate* unmanaged[Cdecl]<void*, int>)exports.Get("cholmod_start"),
            Finish = (delegate* unmanaged[Cdecl]<void*, int>)exports.Get("cholmod_finish"),
            Analyze = (delegate* unmanaged[Cdecl]<CholmodSparse*, void*, void*>)exports.Get("cholmod_analyze"),
            Factorize = (delegate* unmanaged[Cdecl]<CholmodSparse*, void*, void*, int>)exports.Get("cholmod_factorize"),
            Solve2 = (delegate* unmanaged[Cdecl]<int, void*, CholmodDense*, void*, CholmodDense**, void**, CholmodDense**, CholmodDense**, void*, int>)exports.Get("cholmod_solve2"),
            FreeFactor = (delegate* unmanaged[Cdecl]<void**, void*, int>)exports.Get("cholmod_free_factor"),
            FreeDense = (delegate* unmanaged[Cdecl]<CholmodDense**, void*, int>)exports.Get("cholmod_free_dense"),
        };
        reason = exports.MissingReason();
        if (reason is not null) return null;
        var v = stackalloc int[3];
        versionOf(v);
        version = new Version(v[0], v[1], v[2]);
        api.Version = version;
        if (sizeof(nint) != 8) reason = "only 64-bit processes are supported";
        else if (v[0] != 3) reason = $"CHOLMOD {version} is loaded, but only CHOLMOD 3.x's cholmod_common layout is known here";
        else reason = api.CheckLayout(exports.LibraryName);
        return reason is null ? api : null;
    }

    /// <summary>
    /// cholmod_start writes known defaults (cholmod_defaults in Core/cholmod_common.c): finding them at our offsets
    /// proves the layout before a factorization writes to those fields.
    /// </summary>
    private string? CheckLayout(string libraryName)
    {
        var common = (byte*)NativeMemory.AllocZeroed(CommonBytes);
        try
        {
            if (Start(common) != 1) return $"{libraryName}: cholmod_start failed";
            bool matches = Int(common, CommonPrint) == 3 && Int(common, CommonNMethods) == 0
                && Int(common, CommonMethod0Ordering) == OrderingGiven
                && Int(common, CommonMethod0Ordering + CommonMethodStride) == OrderingAmd
                && Int(common, CommonPostorder) == 1 && Int(common, CommonIType) == IndexInt
                && Int(common, CommonStatus) == StatusOk && Int(common, CommonSupernodal) == 1
                && Int(common, CommonFinalLl) == 0;
            Finish(common);
            return matches ? null : $"{libraryName}: cholmod_common does not have CHOLMOD 3.0's layout";
        }
        finally
        {
            NativeMemory.Free(common);
        }
    }

    public static ref int Int(void* block, int offset) => ref *(int*)((byte*)block + offset);

    public static ref double Double(void* block, int offset) => ref *(double*)((byte*)block + offset);

    public static ref nuint Size(void* block, int offset) => ref *(nuint*)((byte*)block + offset);

    public static ref nint Pointer(void* block, int offset) => ref *(nint*)((byte*)block + offset);
}

/// <summary>cholmod_sparse (cholmod_core.h): a column-compressed matrix header; 88 bytes on 64-bit platforms.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CholmodSparse
{
    public nuint NRow, NCol, NzMax;
    public void* P, I, Nz, X, Z;
    public int SType, IType, XType, DType, Sorted, Packed;
}

/// <summary>cholmod_dense (cholmod_core.h): a column-major dense matrix header; 56 bytes on 64-bit platforms.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct CholmodDense
{
    public nuint NRow, NCol, NzMax, D;
    public void* X, Z;
    public int XType, DType;
}
