namespace LearnedSolvers.Devices;

/// <summary>
/// The dimensions of a <see cref="DeviceBuffer{T}"/>, outermost first (C order: the last dimension is contiguous), as
/// PyTorch lists a tensor's sizes. A vector is [n]; a block of k columns of length n is [k, n], that is column-major
/// n × k, each column contiguous (<see cref="Block"/>); a batch of 2-D images is [batch, channels, height, width];
/// 3-D volumes add a depth: [batch, channels, depth, height, width].
/// </summary>
public readonly struct Shape : IEquatable<Shape>
{
    /// <summary>The most dimensions a buffer may have.</summary>
    public const int MaxRank = 5;

    private readonly int _d0, _d1, _d2, _d3, _d4;

    /// <param name="dimensions">One to <see cref="MaxRank"/> sizes, outermost first, each ≥ 0, with at most <see cref="int.MaxValue"/> elements in all.</param>
    public Shape(params ReadOnlySpan<int> dimensions)
    {
        if (dimensions.Length is < 1 or > MaxRank)
            throw new ArgumentException($"A shape has 1 to {MaxRank} dimensions; {dimensions.Length} were given.", nameof(dimensions));
        long length = 1;
        for (int i = 0; i < dimensions.Length; i++)
        {
            if (dimensions[i] < 0) throw new ArgumentOutOfRangeException(nameof(dimensions), dimensions[i], $"Dimension {i} is negative.");
            length *= dimensions[i];
            if (length > int.MaxValue)
                throw new ArgumentOutOfRangeException(nameof(dimensions), $"The shape [{string.Join(", ", dimensions.ToArray())}] holds more than {int.MaxValue} elements.");
        }
        Rank = dimensions.Length;
        Length = (int)length;
        _d0 = dimensions[0];
        _d1 = Rank > 1 ? dimensions[1] : 0;
        _d2 = Rank > 2 ? dimensions[2] : 0;
        _d3 = Rank > 3 ? dimensions[3] : 0;
        _d4 = Rank > 4 ? dimensions[4] : 0;
    }

    /// <summary>A vector of <paramref name="length"/> elements.</summary>
    public static Shape Vector(int length) => new(length);

    /// <summary>A column-major block of <paramref name="columns"/> columns of <paramref name="rows"/> entries: [columns, rows].</summary>
    public static Shape Block(int rows, int columns) => new(columns, rows);

    /// <summary>
    /// A block of <paramref name="columns"/> columns whose first <paramref name="rows"/> entries are used, each column
    /// padded (the leading dimension, <c>shape[1]</c>, ≥ rows) so that columns do not start a multiple of 4 KiB apart.
    /// Columns a power of two apart fall into the same cache sets, and a kernel that walks several at once then evicts its
    /// own lines: a block SpMV of 8 columns of 2D Poisson 1024² ran 29–31 ms on one core with columns 2²⁰ doubles apart
    /// and 18–19 ms padded. The block SpMV takes such blocks (<see cref="IBlockOperator"/>); view a column's used part
    /// with <see cref="DeviceBufferViews.Column(DeviceBuffer{double}, int, int)"/>.
    /// </summary>
    public static Shape PaddedBlock(int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        long ld = (rows + 7L) / 8 * 8;              // whole 64-byte lines
        if (ld % 512 == 0) ld += 72;                // 4 KiB multiple: shift each column by 9 lines
        return new Shape(columns, checked((int)ld));
    }

    /// <summary>Number of dimensions (1 to <see cref="MaxRank"/>); 0 for the default value.</summary>
    public int Rank { get; }

    /// <summary>Elements in all: the product of the dimensions.</summary>
    public int Length { get; }

    /// <summary>The size of dimension <paramref name="axis"/> (0 is the outermost).</summary>
    public int this[int axis] => (uint)axis < (uint)Rank
        ? axis switch { 0 => _d0, 1 => _d1, 2 => _d2, 3 => _d3, _ => _d4 }
        : throw new ArgumentOutOfRangeException(nameof(axis), axis, $"The shape {this} has {Rank} dimensions.");

    /// <summary>The shape of one slice along the outermost dimension (a column of a block, one sample of a batch); a vector's slice is a single element [1].</summary>
    public Shape Inner => Rank switch
    {
        1 => new Shape(1),
        2 => new Shape(_d1),
        3 => new Shape(_d1, _d2),
        4 => new Shape(_d1, _d2, _d3),
        _ => new Shape(_d1, _d2, _d3, _d4),
    };

    /// <summary>The dimensions as an array, outermost first.</summary>
    public int[] ToArray()
    {
        var d = new int[Rank];
        for (int i = 0; i < Rank; i++) d[i] = this[i];
        return d;
    }

    public bool Equals(Shape other) => Rank == other.Rank && _d0 == other._d0 && _d1 == other._d1 && _d2 == other._d2 && _d3 == other._d3 && _d4 == other._d4;

    public override bool Equals(object? obj) => obj is Shape s && Equals(s);

    public override int GetHashCode() => HashCode.Combine(Rank, _d0, _d1, _d2, _d3, _d4);

    public static bool operator ==(Shape a, Shape b) => a.Equals(b);

    public static bool operator !=(Shape a, Shape b) => !a.Equals(b);

    public override string ToString() => $"[{string.Join(", ", ToArray())}]";
}
