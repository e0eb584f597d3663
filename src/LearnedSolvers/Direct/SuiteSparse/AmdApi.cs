namespace LearnedSolvers.Direct.SuiteSparse;

/// <summary>AMD's C API (amd.h, <c>amd_order</c> with 32-bit indices), bound at run time.</summary>
internal sealed unsafe class AmdApi
{
    public const int InfoLength = 20;
    public const int InfoLnz = 9;
    public const int StatusOk = 0;
    public const int StatusOkButJumbled = 1;
    public const int StatusOutOfMemory = -1;
    public const int StatusInvalid = -2;

    /// <summary>int amd_order(int n, const int Ap[], const int Ai[], int P[], double Control[], double Info[]).</summary>
    public delegate* unmanaged[Cdecl]<int, int*, int*, int*, double*, double*, int> Order;

    /// <summary>Binds amd_order; null (with the reason) when it is missing.</summary>
    public static AmdApi? Bind(NativeExports exports, out string? reason)
    {
        var api = new AmdApi { Order = (delegate* unmanaged[Cdecl]<int, int*, int*, int*, double*, double*, int>)exports.Get("amd_order") };
        reason = exports.MissingReason();
        if (reason is null && sizeof(nint) != 8) reason = "only 64-bit processes are supported";
        return reason is null ? api : null;
    }
}
