using System.Buffers.Binary;
using System.Text;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Learned.Nn;

public sealed class SafetensorsTests : IDisposable
{
    private const string Name = "bad.safetensors";

    private readonly Lazy<string> _tempDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "learnedsolvers-st-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    });

    public void Dispose()
    {
        if (_tempDirectory.IsValueCreated) Directory.Delete(_tempDirectory.Value, recursive: true);
    }

    private string TempPath(string name) => Path.Combine(_tempDirectory.Value, name);

    // ---------------------------------------------------------------- files as Python writes them

    /// <summary>The 8-byte length, the header padded with spaces to a multiple of 8 (as safetensors pads), then the data.</summary>
    private static byte[] FileBytes(string header, ReadOnlySpan<byte> data, bool pad = true)
    {
        var json = Encoding.UTF8.GetBytes(header);
        int length = pad ? (json.Length + 7) / 8 * 8 : json.Length;
        var bytes = new byte[8 + length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)length);
        json.CopyTo(bytes, 8);
        bytes.AsSpan(8 + json.Length, length - json.Length).Fill((byte)' ');
        data.CopyTo(bytes.AsSpan(8 + length));
        return bytes;
    }

    private static byte[] Floats(params float[] values)
    {
        var bytes = new byte[4 * values.Length];
        for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(4 * i), values[i]);
        return bytes;
    }

    private static byte[] Written(IEnumerable<SafetensorsTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        using var stream = new MemoryStream();
        SafetensorsFile.Write(stream, tensors, metadata);
        return stream.ToArray();
    }

    /// <summary>safetensors.torch.save_file({"w": torch.tensor([[1., 2.], [3., 4.]])}, path).</summary>
    private static byte[] PythonTwoByTwo() =>
        FileBytes("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", Floats(1, 2, 3, 4));

    [Fact]
    public void Read_FileAsPythonWritesIt()
    {
        var bytes = PythonTwoByTwo();
        Assert.Equal(8 + 64 + 16, bytes.Length); // the 57-byte header is padded to 64
        var file = SafetensorsFile.Read(new MemoryStream(bytes));
        var w = Assert.Single(file.Tensors);
        Assert.Same(w, file["w"]);
        Assert.Equal("w", w.Name);
        Assert.Equal(SafetensorsDtype.F32, w.Dtype);
        Assert.Equal([2, 2], w.Shape);
        Assert.Equal(new Shape(2, 2), w.ToDeviceShape());
        Assert.Equal([1f, 2f, 3f, 4f], w.ToSingles());
        Assert.Equal([1d, 2d, 3d, 4d], w.ToDoubles());
        Assert.Empty(file.Metadata);
    }

    [Fact]
    public void Write_MatchesPythonByteForByte()
    {
        Assert.Equal(PythonTwoByTwo(), Written([SafetensorsTensor.FromSingles("w", [2, 2], [1, 2, 3, 4])]));

        // A 64-byte header needs no padding; an empty file is "{}" and six spaces; metadata comes first.
        Assert.Equal(FileBytes("""{"attn.0":{"dtype":"F32","shape":[1,2,3],"data_offsets":[0,24]}}""", Floats(0, 1, 2, 3, 4, 5)),
            Written([SafetensorsTensor.FromSingles("attn.0", [1, 2, 3], [0, 1, 2, 3, 4, 5])]));
        Assert.Equal(FileBytes("{}", []), Written([]));
        Assert.Equal(16, Written([]).Length);
        Assert.Equal(FileBytes("""{"__metadata__":{"framework":"pt"}}""", []),
            Written([], new Dictionary<string, string> { ["framework"] = "pt" }));
    }

    [Fact]
    public void Write_OrdersByDtypeWidestFirst_ThenByUtf8Name_AsSafetensorsDoes()
    {
        var bytes = Written(
        [
            SafetensorsTensor.FromSingles("é", [1], [1]),
            SafetensorsTensor.FromSingles("a", [], [2]),
            SafetensorsTensor.FromDoubles("z", [1], [3]),
            SafetensorsTensor.FromSingles("B", [0, 3], []),
            SafetensorsTensor.FromSingles("\uFF21", [1], [4]), // U+FF21 sorts before U+1F600 in UTF-8, after it in UTF-16
            SafetensorsTensor.FromSingles("\U0001F600", [1], [5]),
        ]);
        string expected = "{\"z\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}," +
            "\"B\":{\"dtype\":\"F32\",\"shape\":[0,3],\"data_offsets\":[8,8]}," +
            "\"a\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[8,12]}," +
            "\"é\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[12,16]}," +
            "\"\uFF21\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[16,20]}," +
            "\"\U0001F600\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[20,24]}}";
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, headerLength % 8);
        Assert.Equal(expected, Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
    }

    [Fact]
    public void Write_EscapesStringsAsSerdeJson()
    {
        var metadata = new Dictionary<string, string> { ["q\"b\\"] = "n\nt\tc\u0001/\u007f" };
        var bytes = Written([], metadata);
        int headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal("{\"__metadata__\":{\"q\\\"b\\\\\":\"n\\nt\\tc\\u0001/\u007f\"}}", Encoding.UTF8.GetString(bytes, 8, headerLength).TrimEnd(' '));
        Assert.Equal(metadata, SafetensorsFile.Read(new MemoryStream(bytes)).Metadata);
    }

    // ---------------------------------------------------------------- round trips

    [Fact]
    public void RoundTrip_Singles_IsBitExact_WithNaNPayloadsNegativeZeroAndUnicodeMetadata()
    {
        float[] special =
        [
            BitConverter.Int32BitsToSingle(0x7FC00001), // quiet NaN with a payload
            BitConverter.Int32BitsToSingle(0x7F800001), // signalling NaN
            BitConverter.Int32BitsToSingle(unchecked((int)0xFFFFFFFF)),
            -0.0f, 0.0f, float.PositiveInfinity, float.NegativeInfinity, float.Epsilon, float.MaxValue, -1.5f,
        ];
        var random = new Random(7);
        var weights = new float[2 * 3 * 1 * 2 * 2];
        for (int i = 0; i < weights.Length; i++) weights[i] = (float)(random.NextDouble() - 0.5);
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["model"] = "DCDM κ=10⁶ — 学習 🚀", ["ünïcode key"] = "" };
        (string, int[], float[])[] tensors =
        [
            ("conv1.weight", [2, 3, 1, 2, 2], weights),
            ("special", [special.Length], special),
            ("scalar", [], [42.5f]),
            ("empty", [0, 4], []),
        ];
        string path = TempPath("round.safetensors");

        SafetensorsFile.Write(path, tensors, metadata);
        var file = SafetensorsFile.Read(path);

        Assert.Equal(metadata, file.Metadata);
        Assert.Equal(tensors.Length, file.Tensors.Count);
        foreach (var (name, shape, values) in tensors)
        {
            var t = file[name];
            Assert.Equal(SafetensorsDtype.F32, t.Dtype);
            Assert.Equal(shape, t.Shape);
            Assert.Equal(values.Select(BitConverter.SingleToInt32Bits), t.ToSingles().Select(BitConverter.SingleToInt32Bits));
        }
        Assert.True(file["scalar"].IsScalar);
        Assert.Equal(1, file["scalar"].ElementCount);
        Assert.Equal(0, file["empty"].ElementCount);
    }

    [Fact]
    public void RoundTrip_Doubles_IsBitExact_AndConvertsToNearestFloat()
    {
        double[] values = [BitConverter.Int64BitsToDouble(0x7FF8000000000123), -0.0, 1.0 / 3, 1e300, double.NegativeInfinity];
        string path = TempPath("f64.safetensors");
        SafetensorsFile.Write(path, [("x", new[] { 5 }, values)]);
        var x = SafetensorsFile.Read(path)["x"];
        Assert.Equal(SafetensorsDtype.F64, x.Dtype);
        Assert.Equal(values.Select(BitConverter.DoubleToInt64Bits), x.ToDoubles().Select(BitConverter.DoubleToInt64Bits));
        var singles = x.ToSingles();
        Assert.True(float.IsNaN(singles[0]));
        Assert.Equal(BitConverter.SingleToInt32Bits(-0.0f), BitConverter.SingleToInt32Bits(singles[1]));
        Assert.Equal((float)(1.0 / 3), singles[2]);
        Assert.Equal(float.PositiveInfinity, singles[3]);
    }

    [Fact]
    public void RoundTrip_ReadThenWrite_KeepsEveryByte()
    {
        var original = Written(
        [
            SafetensorsTensor.FromDoubles("b", [2], [1, 2]),
            SafetensorsTensor.FromSingles("a", [1, 1], [3]),
        ], new Dictionary<string, string> { ["k"] = "v" });
        var file = SafetensorsFile.Read(new MemoryStream(original));
        Assert.Equal(original, Written(file.Tensors, file.Metadata));
    }

    [Fact]
    public void Read_ConvertsHalfAndBFloat16_AndReadsIntegers()
    {
        var data = new byte[2 * 2 + 2 * 2 + 8 + 1];
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(0), 0x3C00); // F16 1.0
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(2), 0xC500); // F16 -5.0
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(4), 0x3F80); // BF16 1.0
        BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(6), 0xC0A0); // BF16 -5.0
        BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(8), -123456789012345);
        data[16] = 1;
        var file = SafetensorsFile.Read(new MemoryStream(FileBytes(
            """{"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},"bf":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}""" +
            ""","steps":{"dtype":"I64","shape":[],"data_offsets":[8,16]},"flag":{"dtype":"BOOL","shape":[1],"data_offsets":[16,17]}}""", data)));
        Assert.Equal([1f, -5f], file["h"].ToSingles());
        Assert.Equal([1f, -5f], file["bf"].ToSingles());
        Assert.Equal([1d, -5d], file["bf"].ToDoubles());
        Assert.Equal([-123456789012345L], file["steps"].ToInt64s());
        Assert.Equal([1L], file["flag"].ToInt64s());
        Assert.Equal(["h", "bf", "steps", "flag"], file.Tensors.Select(t => t.Name)); // data order

        var wrongType = Assert.Throws<InvalidOperationException>(() => file["steps"].ToSingles());
        Assert.Contains("'steps' holds I64", wrongType.Message);
        Assert.Throws<InvalidOperationException>(() => file["h"].ToInt64s());
        var scalar = Assert.Throws<InvalidOperationException>(() => file["steps"].ToDeviceShape());
        Assert.Contains("shape []", scalar.Message);
        var missing = Assert.Throws<KeyNotFoundException>(() => file["conv.weight"]);
        Assert.Contains("'h', 'bf', 'steps', 'flag'", missing.Message);
        Assert.False(file.TryGetTensor("conv.weight", out _));
    }

    [Fact]
    public void Read_FromAStreamThatCannotSeek()
    {
        var file = SafetensorsFile.Read(new ForwardOnlyStream(PythonTwoByTwo()));
        Assert.Equal([1f, 2f, 3f, 4f], file["w"].ToSingles());
    }

    // ---------------------------------------------------------------- malformed files

    [Theory]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}""", 16, "not valid JSON")]
    [InlineData("""[{"w":1}]""", 0, "does not start with '{'")]
    [InlineData("""{"w":{"shape":[2,2],"data_offsets":[0,16]}}""", 16, "tensor 'w': missing field 'dtype'")]
    [InlineData("""{"w":{"dtype":"F32","data_offsets":[0,16]}}""", 16, "tensor 'w': missing field 'shape'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2]}}""", 16, "tensor 'w': missing field 'data_offsets'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16],"offsets":[0,16]}}""", 16, "tensor 'w': unknown field 'offsets'")]
    [InlineData("""{"w":{"dtype":"F32","dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", 16, "field 'dtype' appears twice")]
    [InlineData("""{"w":[0,16]}""", 16, "tensor 'w': the entry is a JSON Array")]
    [InlineData("""{"w":{"dtype":"F128","shape":[2,2],"data_offsets":[0,16]}}""", 16, "unknown dtype 'F128'")]
    [InlineData("""{"w":{"dtype":"f32","shape":[2,2],"data_offsets":[0,16]}}""", 16, "unknown dtype 'f32'")]
    [InlineData("""{"w":{"dtype":32,"shape":[2,2],"data_offsets":[0,16]}}""", 16, "dtype is a JSON Number")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,-2],"data_offsets":[0,16]}}""", 16, "shape entry 1 is -2")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2.0],"data_offsets":[0,16]}}""", 16, "shape entry 1 is 2.0")]
    [InlineData("""{"w":{"dtype":"F32","shape":4,"data_offsets":[0,16]}}""", 16, "shape is a JSON Number")]
    [InlineData("""{"w":{"dtype":"F32","shape":[100000,100000,1000],"data_offsets":[0,16]}}""", 16, "more than 2147483647 values")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0]}}""", 16, "data_offsets is [0]")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[-1,15]}}""", 16, "data offset -1 is not")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[16,0]}}""", 16, "begin after they end")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,32]}}""", 16, "run past the data section, which has 16 bytes")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,12]}}""", 12, "hold 12 bytes, but F32 of shape [2, 2] needs 16")]
    [InlineData("""{"w":{"dtype":"F64","shape":[2,2],"data_offsets":[0,16]}}""", 16, "F64 of shape [2, 2] needs 32")]
    [InlineData("""{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"b":{"dtype":"F32","shape":[4],"data_offsets":[8,24]}}""", 24,
        "tensor 'b' at [8, 24] overlaps tensor 'a' at [0, 16]")]
    [InlineData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[12,20]}}""", 20,
        "data bytes [8, 12) before tensor 'b' belong to no tensor")]
    [InlineData("""{"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12, "data bytes [0, 4) before tensor 'b'")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", 20, "data bytes [16, 20) after the last tensor")]
    [InlineData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"w":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16,
        "the header names 'w' twice")]
    [InlineData("""{"__metadata__":{"epochs":10},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", 16,
        "__metadata__['epochs'] is a JSON Number; metadata values must be strings")]
    [InlineData("""{"__metadata__":["pt"],"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", 16, "__metadata__ is a JSON Array")]
    [InlineData("""{"__metadata__":{"a":"1","a":"2"},"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", 16, "__metadata__ names 'a' twice")]
    public void Read_MalformedHeader_ThrowsSafetensorsFormatException_SayingWhat(string header, int dataLength, string expected)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(FileBytes(header, new byte[dataLength])), Name));
        Assert.Contains(expected, e.Message);
        Assert.StartsWith(Name + ": ", e.Message);
        Assert.Equal(Name, e.FileName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    public void Read_FileShorterThanTheLengthPrefix_IsTruncated(int length)
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(new byte[length]), Name));
        Assert.Contains($"truncated: {length} bytes", e.Message);
    }

    [Fact]
    public void Read_TruncatedData_SaysTheOffsetsRunPastTheEnd()
    {
        var bytes = PythonTwoByTwo();
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(bytes[..^4]), Name));
        Assert.Contains("tensor 'w': data_offsets [0, 16] run past the data section, which has 12 bytes", e.Message);
    }

    [Theory]
    [InlineData(81ul, "the header length is 81 bytes, beyond the end of the file (88 bytes in all)")]
    [InlineData(99_999_999ul, "beyond the end of the file")]
    [InlineData(100_000_001ul, "over the format's limit of 100000000")]
    [InlineData(ulong.MaxValue, "over the format's limit")]
    public void Read_HeaderLengthBeyondFileOrLimit_Throws_WithoutAllocatingIt(ulong headerLength, string expected)
    {
        var bytes = PythonTwoByTwo();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength);
        var (e, allocated) = Allocations.Least(() =>
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(bytes), Name)));
        Assert.Contains(expected, e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated for a {bytes.Length}-byte file.");
    }

    [Fact]
    public void Read_HugeTensorClaim_IsRefusedBeforeAllocating()
    {
        var bytes = FileBytes("""{"w":{"dtype":"F32","shape":[500000000],"data_offsets":[0,2000000000]}}""", new byte[16]);
        var (e, allocated) = Allocations.Least(() =>
            Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(bytes), Name)));
        Assert.Contains("run past the data section, which has 16 bytes", e.Message);
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated.");
    }

    [Fact]
    public void Read_HeaderThatIsNotUtf8_Throws()
    {
        var bytes = PythonTwoByTwo();
        bytes[10] = 0xFF; // inside the name "w"
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(new MemoryStream(bytes), Name));
        Assert.Contains("not valid UTF-8", e.Message);
    }

    [Fact]
    public void Read_FromPath_NamesThePathInTheMessage()
    {
        string path = TempPath("gap.safetensors");
        File.WriteAllBytes(path, FileBytes("""{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}""", new byte[17]));
        var e = Assert.Throws<SafetensorsFormatException>(() => SafetensorsFile.Read(path));
        Assert.Equal(path, e.FileName);
        Assert.StartsWith(path + ": data bytes [16, 17) after the last tensor", e.Message);
    }

    // ---------------------------------------------------------------- writing

    [Fact]
    public void Write_FailingPartWay_LeavesThePreviousFileIntact_AndNoTemporaryFile()
    {
        string path = TempPath("model.safetensors");
        SafetensorsFile.Write(path, [("w", new[] { 2, 2 }, new float[] { 1, 2, 3, 4 })]);
        var before = File.ReadAllBytes(path);
        var replacement = new[] { SafetensorsTensor.FromSingles("w", [1000], new float[1000]) };

        var e = Assert.Throws<IOException>(() =>
            SafetensorsWriter.WriteFile(path, replacement, null, wrapForTesting: s => new FailingStream(s, failAfterBytes: 100)));
        Assert.Contains("disk full", e.Message);
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_tempDirectory.Value));

        // Refused input is refused before a file is created.
        Assert.Throws<ArgumentException>(() => SafetensorsFile.Write(path, [("a", new[] { 1 }, new float[] { 1 }), ("a", new[] { 1 }, new float[] { 2 })]));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal([path], Directory.GetFiles(_tempDirectory.Value));

        // And a successful write replaces it.
        SafetensorsFile.Write(path, replacement);
        Assert.Equal(1000, SafetensorsFile.Read(path)["w"].ElementCount);
        Assert.Equal([path], Directory.GetFiles(_tempDirectory.Value));
    }

    [Fact]
    public void Write_RefusesBadInput_WithClearMessages()
    {
        var mismatch = Assert.Throws<ArgumentException>(() => SafetensorsTensor.FromSingles("w", [2, 3], [1, 2, 3]));
        Assert.Contains("shape [2, 3] holds 6 values, but 3 were given", mismatch.Message);
        var negative = Assert.Throws<ArgumentException>(() => SafetensorsTensor.FromSingles("w", [2, -1], []));
        Assert.Contains("dimension 1 is -1", negative.Message);
        var duplicate = Assert.Throws<ArgumentException>(() => Written([SafetensorsTensor.FromSingles("w", [], [1]), SafetensorsTensor.FromDoubles("w", [], [1])]));
        Assert.Contains("Two tensors are named 'w'", duplicate.Message);
        var reserved = Assert.Throws<ArgumentException>(() => Written([SafetensorsTensor.FromSingles("__metadata__", [], [1])]));
        Assert.Contains("reserved", reserved.Message);
        var surrogate = Assert.Throws<ArgumentException>(() => Written([SafetensorsTensor.FromSingles("bad\uD800", [], [1])]));
        Assert.Contains("not valid Unicode", surrogate.Message);
    }

    /// <summary>A stream that reads like a socket: no seeking, no length.</summary>
    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override long Seek(long offset, SeekOrigin loc) => throw new NotSupportedException();
    }

    /// <summary>Passes writes through until a budget of bytes is spent, then fails as a full disk would.</summary>
    private sealed class FailingStream(Stream inner, long failAfterBytes) : Stream
    {
        private long _left = failAfterBytes;
        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (buffer.Length > _left)
            {
                inner.Write(buffer[..(int)_left]);
                _left = 0;
                throw new IOException("No space left on device (simulated disk full).");
            }
            inner.Write(buffer);
            _left -= buffer.Length;
        }
    }
}
