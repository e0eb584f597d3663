namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// The element types of the safetensors format, declared in the order of the reference implementation's enum (ascending
/// alignment), which its writer uses to order tensors in a file. All are little-endian; BOOL is one byte per element.
/// </summary>
public enum SafetensorsDtype
{
    Bool,
    U8,
    I8,
    F8E5M2,
    F8E4M3,
    I16,
    U16,
    F16,
    BF16,
    I32,
    U32,
    F32,
    F64,
    I64,
    U64,
}

/// <summary>Bytes per element and the header spelling of each <see cref="SafetensorsDtype"/>.</summary>
public static class SafetensorsDtypeInfo
{
    private static readonly string[] Names =
        ["BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"];

    /// <summary>Bytes per element.</summary>
    public static int ElementSize(this SafetensorsDtype dtype) => dtype switch
    {
        SafetensorsDtype.Bool or SafetensorsDtype.U8 or SafetensorsDtype.I8 or SafetensorsDtype.F8E5M2 or SafetensorsDtype.F8E4M3 => 1,
        SafetensorsDtype.I16 or SafetensorsDtype.U16 or SafetensorsDtype.F16 or SafetensorsDtype.BF16 => 2,
        SafetensorsDtype.I32 or SafetensorsDtype.U32 or SafetensorsDtype.F32 => 4,
        SafetensorsDtype.F64 or SafetensorsDtype.I64 or SafetensorsDtype.U64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype."),
    };

    /// <summary>The name in a file's header: "F32", "BF16", "F8_E4M3", ...</summary>
    public static string HeaderName(this SafetensorsDtype dtype) =>
        (uint)dtype < (uint)Names.Length ? Names[(int)dtype] : throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Not a safetensors dtype.");

    /// <summary>The dtype a header spells <paramref name="name"/> (case-sensitive, as the format is).</summary>
    public static bool TryParse(string name, out SafetensorsDtype dtype)
    {
        int i = Array.IndexOf(Names, name);
        dtype = (SafetensorsDtype)Math.Max(i, 0);
        return i >= 0;
    }

    /// <summary>All header names, for messages.</summary>
    internal static string KnownNames => string.Join(", ", Names);

    /// <summary>True for the floating-point types that convert to float and double (F16, BF16, F32, F64).</summary>
    public static bool IsConvertibleFloat(this SafetensorsDtype dtype) =>
        dtype is SafetensorsDtype.F16 or SafetensorsDtype.BF16 or SafetensorsDtype.F32 or SafetensorsDtype.F64;

    /// <summary>True for BOOL and the integer types, which convert to long.</summary>
    public static bool IsInteger(this SafetensorsDtype dtype) =>
        dtype is SafetensorsDtype.Bool or SafetensorsDtype.U8 or SafetensorsDtype.I8 or SafetensorsDtype.I16 or SafetensorsDtype.U16
            or SafetensorsDtype.I32 or SafetensorsDtype.U32 or SafetensorsDtype.I64 or SafetensorsDtype.U64;
}
