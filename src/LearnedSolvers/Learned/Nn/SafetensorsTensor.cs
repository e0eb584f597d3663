using System.Buffers.Binary;
using System.Runtime.InteropServices;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// One named tensor of a safetensors file: its dtype, its shape (outermost first, C order; empty for a scalar) and its
/// raw little-endian bytes. Read values with <see cref="ToSingles"/> (F32 as stored; F64, F16 and BF16 converted to
/// float), <see cref="ToDoubles"/> (F64 as stored; the other float types widened exactly) or <see cref="ToInt64s"/>.
/// </summary>
public sealed class SafetensorsTensor
{
    private readonly int[] _shape;
    private readonly byte[] _data;

    /// <summary>Takes ownership of <paramref name="data"/>; the caller has checked that its length is shape × dtype size.</summary>
    internal SafetensorsTensor(string name, SafetensorsDtype dtype, int[] shape, int elementCount, byte[] data)
    {
        Name = name;
        Dtype = dtype;
        _shape = shape;
        ElementCount = elementCount;
        _data = data;
    }

    /// <summary>An F32 tensor holding a copy of <paramref name="values"/>.</summary>
    /// <param name="name">The tensor's key in the file.</param>
    /// <param name="shape">Dimensions, outermost first, each ≥ 0; empty for a scalar (one value).</param>
    /// <param name="values">As many values as the shape holds, in C order.</param>
    /// <exception cref="ArgumentException">A dimension is negative or the value count does not match the shape.</exception>
    public static SafetensorsTensor FromSingles(string name, ReadOnlySpan<int> shape, ReadOnlySpan<float> values)
    {
        int count = CheckShape(name, shape, values.Length);
        var data = new byte[checked(count * sizeof(float))];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(data);
        else for (int i = 0; i < count; i++) BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(4 * i), values[i]);
        return new SafetensorsTensor(name, SafetensorsDtype.F32, shape.ToArray(), count, data);
    }

    /// <summary>An F64 tensor holding a copy of <paramref name="values"/>.</summary>
    /// <inheritdoc cref="FromSingles" path="/param"/>
    /// <exception cref="ArgumentException">A dimension is negative or the value count does not match the shape.</exception>
    public static SafetensorsTensor FromDoubles(string name, ReadOnlySpan<int> shape, ReadOnlySpan<double> values)
    {
        int count = CheckShape(name, shape, values.Length);
        var data = new byte[checked((long)count * sizeof(double))];
        if (BitConverter.IsLittleEndian) MemoryMarshal.AsBytes(values).CopyTo(data);
        else for (int i = 0; i < count; i++) BinaryPrimitives.WriteDoubleLittleEndian(data.AsSpan(8 * i), values[i]);
        return new SafetensorsTensor(name, SafetensorsDtype.F64, shape.ToArray(), count, data);
    }

    private static int CheckShape(string name, ReadOnlySpan<int> shape, int valueCount)
    {
        ArgumentNullException.ThrowIfNull(name);
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (shape[i] < 0) throw new ArgumentException($"Tensor '{name}': dimension {i} is {shape[i]}; dimensions are ≥ 0.", nameof(shape));
            count = Math.Min(count * shape[i], (long)int.MaxValue + 1);
        }
        if (count != valueCount)
            throw new ArgumentException($"Tensor '{name}': shape {Format(shape)} holds {count} values, but {valueCount} were given.", nameof(shape));
        return valueCount;
    }

    /// <summary>The tensor's key in the file.</summary>
    public string Name { get; }

    /// <summary>The element type as stored.</summary>
    public SafetensorsDtype Dtype { get; }

    /// <summary>Dimensions, outermost first; empty for a scalar.</summary>
    public IReadOnlyList<int> Shape => _shape;

    /// <summary>Number of dimensions; 0 for a scalar.</summary>
    public int Rank => _shape.Length;

    /// <summary>True for a scalar (shape []), which holds one value.</summary>
    public bool IsScalar => _shape.Length == 0;

    /// <summary>Number of values: the product of the dimensions (1 for a scalar).</summary>
    public int ElementCount { get; }

    /// <summary>The stored bytes, little-endian, C order.</summary>
    public ReadOnlySpan<byte> Data => _data;

    /// <summary>Length of <see cref="Data"/>.</summary>
    public long ByteCount => _data.LongLength;

    /// <summary>The shape as a device <see cref="Devices.Shape"/> (rank 1 to <see cref="Devices.Shape.MaxRank"/>).</summary>
    /// <exception cref="InvalidOperationException">The tensor is a scalar or has more than <see cref="Devices.Shape.MaxRank"/> dimensions.</exception>
    public Shape ToDeviceShape()
    {
        if (_shape.Length is < 1 or > Devices.Shape.MaxRank)
            throw new InvalidOperationException(
                $"Tensor '{Name}' has shape {Format(_shape)}: a device shape has 1 to {Devices.Shape.MaxRank} dimensions.");
        return new Shape(_shape);
    }

    /// <summary>
    /// The values as float: F32 bit for bit (NaN payloads included); F16 and BF16 exactly; F64 rounded to nearest.
    /// </summary>
    /// <exception cref="InvalidOperationException">The dtype is not F16, BF16, F32 or F64.</exception>
    public float[] ToSingles()
    {
        var result = new float[ElementCount];
        ReadOnlySpan<byte> d = _data;
        switch (Dtype)
        {
            case SafetensorsDtype.F32 when BitConverter.IsLittleEndian:
                d.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
                break;
            case SafetensorsDtype.F32:
                for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadSingleLittleEndian(d[(4 * i)..]);
                break;
            case SafetensorsDtype.F64:
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(d[(8 * i)..]);
                break;
            case SafetensorsDtype.F16:
                for (int i = 0; i < result.Length; i++) result[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(d[(2 * i)..]);
                break;
            case SafetensorsDtype.BF16:
                // bfloat16 is the upper half of a float32.
                for (int i = 0; i < result.Length; i++) result[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(d[(2 * i)..]) << 16);
                break;
            default:
                throw NotConvertible("float");
        }
        return result;
    }

    /// <summary>The values as double: F64 bit for bit; F32, F16 and BF16 widened exactly.</summary>
    /// <exception cref="InvalidOperationException">The dtype is not F16, BF16, F32 or F64.</exception>
    public double[] ToDoubles()
    {
        if (!Dtype.IsConvertibleFloat()) throw NotConvertible("double");
        var result = new double[ElementCount];
        if (Dtype == SafetensorsDtype.F64)
        {
            if (BitConverter.IsLittleEndian) Data.CopyTo(MemoryMarshal.AsBytes(result.AsSpan()));
            else for (int i = 0; i < result.Length; i++) result[i] = BinaryPrimitives.ReadDoubleLittleEndian(Data[(8 * i)..]);
            return result;
        }
        var singles = ToSingles();
        for (int i = 0; i < result.Length; i++) result[i] = singles[i];
        return result;
    }

    /// <summary>The values of a BOOL (0 or 1) or integer tensor as long.</summary>
    /// <exception cref="InvalidOperationException">The dtype is not BOOL or an integer type.</exception>
    /// <exception cref="OverflowException">A U64 value exceeds <see cref="long.MaxValue"/>.</exception>
    public long[] ToInt64s()
    {
        if (!Dtype.IsInteger()) throw NotConvertible("long");
        var result = new long[ElementCount];
        ReadOnlySpan<byte> d = _data;
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = Dtype switch
            {
                SafetensorsDtype.Bool => d[i] != 0 ? 1 : 0,
                SafetensorsDtype.U8 => d[i],
                SafetensorsDtype.I8 => (sbyte)d[i],
                SafetensorsDtype.I16 => BinaryPrimitives.ReadInt16LittleEndian(d[(2 * i)..]),
                SafetensorsDtype.U16 => BinaryPrimitives.ReadUInt16LittleEndian(d[(2 * i)..]),
                SafetensorsDtype.I32 => BinaryPrimitives.ReadInt32LittleEndian(d[(4 * i)..]),
                SafetensorsDtype.U32 => BinaryPrimitives.ReadUInt32LittleEndian(d[(4 * i)..]),
                SafetensorsDtype.I64 => BinaryPrimitives.ReadInt64LittleEndian(d[(8 * i)..]),
                _ => checked((long)BinaryPrimitives.ReadUInt64LittleEndian(d[(8 * i)..])),
            };
        }
        return result;
    }

    private InvalidOperationException NotConvertible(string target) =>
        new($"Tensor '{Name}' holds {Dtype.HeaderName()}, which does not convert to {target}.");

    public override string ToString() => $"{Name}: {Dtype.HeaderName()} {Format(_shape)}";

    internal static string Format(ReadOnlySpan<int> shape) => $"[{string.Join(", ", shape.ToArray())}]";
}
