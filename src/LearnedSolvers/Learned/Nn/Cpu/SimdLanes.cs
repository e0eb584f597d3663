using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// The vector operations of the convolution micro-kernels for one register width. The kernels are generic over it, so
/// one source serves AVX-512, AVX2 and 128-bit machines, each instantiation compiled by the JIT with its own registers.
/// </summary>
internal interface ISimdLanes<TVector> where TVector : struct
{
    static abstract int Count { get; }

    static abstract TVector Broadcast(float value);

    static abstract TVector Load(ref float source, int offset);

    static abstract void Store(TVector value, ref float destination, int offset);

    /// <summary>a·b + addend (one fused instruction where the hardware has it).</summary>
    static abstract TVector MultiplyAdd(TVector a, TVector b, TVector addend);

    static abstract TVector Add(TVector a, TVector b);

    /// <summary>The lanes summed in double, in a fixed order (widened halves added, then a horizontal sum).</summary>
    static abstract double Sum(TVector value);
}

internal readonly struct Lanes512 : ISimdLanes<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(ref float source, int offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> addend) => Vector512.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector512<float> value)
    {
        var (low, high) = Vector512.Widen(value);
        return Vector512.Sum(low + high);
    }
}

internal readonly struct Lanes256 : ISimdLanes<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(ref float source, int offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> addend) => Vector256.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector256<float> value)
    {
        var (low, high) = Vector256.Widen(value);
        return Vector256.Sum(low + high);
    }
}

internal readonly struct Lanes128 : ISimdLanes<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(ref float source, int offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> value, ref float destination, int offset) => value.StoreUnsafe(ref destination, (nuint)offset);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> MultiplyAdd(Vector128<float> a, Vector128<float> b, Vector128<float> addend) => Vector128.MultiplyAddEstimate(a, b, addend);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Sum(Vector128<float> value)
    {
        var (low, high) = Vector128.Widen(value);
        return Vector128.Sum(low + high);
    }
}

/// <summary>The register width the CPU kernels use: the widest the hardware accelerates (as .NET judges it).</summary>
internal static class SimdWidth
{
    /// <summary>Floats per register (16 with AVX-512, 8 with AVX2, else 4).</summary>
    public static int Lanes => Vector512.IsHardwareAccelerated ? Vector512<float>.Count : Vector256.IsHardwareAccelerated ? Vector256<float>.Count : Vector128<float>.Count;

    /// <summary>
    /// Whether the core has 32 vector registers (x64 with AVX-512's encoding, ARM64), room for 16 accumulators and
    /// their operands; x64 with AVX2 alone has 16.
    /// </summary>
    public static bool ManyRegisters => Avx512F.IsSupported || AdvSimd.Arm64.IsSupported;
}

/// <summary>A count fixed at compile time, so a generic micro-kernel's unused accumulators and branches vanish.</summary>
internal interface IBlockCount
{
    static abstract int Value { get; }
}

internal readonly struct One : IBlockCount
{
    public static int Value => 1;
}

internal readonly struct Two : IBlockCount
{
    public static int Value => 2;
}

internal readonly struct Three : IBlockCount
{
    public static int Value => 3;
}

internal readonly struct Four : IBlockCount
{
    public static int Value => 4;
}
