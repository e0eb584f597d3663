using System.Globalization;
using System.Text;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public sealed class MatrixMarketTests : IDisposable
{
    private const string GeneralBanner = "%%MatrixMarket matrix coordinate real general";
    private const string FileName = "bad.mtx";

    private readonly Lazy<string> _tempDirectory = new(() =>
    {
        var dir = Path.Combine(Path.GetTempPath(), "learnedsolvers-mm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    });

    public void Dispose()
    {
        if (_tempDirectory.IsValueCreated) Directory.Delete(_tempDirectory.Value, recursive: true);
    }

    private string TempPath(string name) => Path.Combine(_tempDirectory.Value, name);

    // ---------------------------------------------------------------- round trips

    [Theory]
    [InlineData(1, 1)]
    [InlineData(57, 2)]
    [InlineData(400, 3)]
    public void WriteThenRead_IsBitExact_OnRandomNonsymmetric(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed);
        AssertBitIdentical(a, RoundTrip(a));
    }

    [Fact]
    public void WriteThenRead_IsBitExact_ForValuesThatNeedAllDigits()
    {
        double[] values =
        [
            0.1, 1e-300, -1.2345678901234567e+200, 1.0 / 3, Math.PI, -Math.E, double.Epsilon, -double.Epsilon,
            double.MaxValue, double.MinValue, 2.2250738585072014e-308, 2.225073858507201e-308, -0.0, 0.0,
            9007199254740993, 1e22, 1e23, 123456789.123456789, 0.30000000000000004, 5e-324,
        ];
        var b = new TripletBuilder(values.Length, 3);
        for (int i = 0; i < values.Length; i++) b.Add(i, i % 3, values[i]);
        var a = b.ToCsr();
        AssertBitIdentical(a, RoundTrip(a));
    }

    [Fact]
    public void WriteThenRead_IsBitExact_ForRandomBitPatterns()
    {
        // Random bits cover every exponent, subnormals and odd last digits, which few hand-picked values do.
        var rng = new Random(11);
        var b = new TripletBuilder(300, 200);
        for (int k = 0; k < 3000; k++)
        {
            double v;
            do v = BitConverter.Int64BitsToDouble(rng.NextInt64(long.MinValue, long.MaxValue));
            while (!double.IsFinite(v));
            b.Add(rng.Next(300), rng.Next(200), v);
        }
        var a = b.ToCsr();
        AssertBitIdentical(a, RoundTrip(a));
    }

    [Fact]
    public void WriteThenRead_KeepsExplicitZerosAndEmptyRows()
    {
        var b = new TripletBuilder(5, 4);
        b.Add(0, 3, 0.0);
        b.Add(3, 1, 2.5);
        var a = b.ToCsr();
        var back = RoundTrip(a);
        AssertBitIdentical(a, back);
        Assert.Equal(2, back.NonZeros);
    }

    [Fact]
    public void WriteThenRead_EmptyMatrix()
    {
        var a = new TripletBuilder(0, 0).ToCsr();
        AssertBitIdentical(a, RoundTrip(a));
        var b = new TripletBuilder(3, 7).ToCsr();
        AssertBitIdentical(b, RoundTrip(b));
    }

    [Fact]
    public void WriteThenRead_IsBitExact_WhenTheFileSpansManyBufferBlocks()
    {
        // About 3 MB: lines straddle the reader's 1 MiB block boundaries many times.
        var a = RandomSystems.Nonsymmetric(20_000, seed: 5, perRow: 6);
        var path = TempPath("big.mtx");
        MatrixMarketWriter.WriteMatrix(path, a);
        Assert.True(new FileInfo(path).Length > 3 << 20);
        AssertBitIdentical(a, MatrixMarketReader.ReadMatrix(path));
    }

    [Fact]
    public void Read_IsTheSame_WhenTheStreamDeliversAFewBytesAtATime()
    {
        var a = RandomSystems.Nonsymmetric(300, seed: 8);
        var bytes = Write(a);
        var back = MatrixMarketReader.ReadMatrix(new TrickleStream(bytes), "trickle.mtx");
        AssertBitIdentical(a, back);
    }

    [Fact]
    public void WriteMatrix_WritesSignatureCommentAndGeneralBanner()
    {
        var text = Encoding.UTF8.GetString(Write(RandomSystems.Nonsymmetric(10, seed: 1)));
        var lines = text.Split('\n');
        Assert.Equal(GeneralBanner, lines[0]);
        Assert.StartsWith("%", lines[1]);
        Assert.Contains("LearnedSolvers", lines[1]);
    }

    [Fact]
    public void SymmetricWrite_StoresLowerTriangle_AndReadsBackTheFullMatrix()
    {
        var a = RandomSystems.Spd(250, seed: 4);
        var path = TempPath("spd.mtx");
        MatrixMarketWriter.WriteMatrix(path, a, asSymmetric: true);

        var header = MatrixMarketReader.ReadHeader(path);
        Assert.Equal(MatrixMarketSymmetry.Symmetric, header.Symmetry);
        Assert.Equal((a.NonZeros + a.Rows) / 2, header.Entries); // SPD: full diagonal, mirrored off-diagonal pairs
        Assert.StartsWith("%%MatrixMarket matrix coordinate real symmetric", File.ReadLines(path).First());
        foreach (var line in File.ReadLines(path).Skip(3))
        {
            var f = line.Split(' ');
            Assert.True(int.Parse(f[0], CultureInfo.InvariantCulture) >= int.Parse(f[1], CultureInfo.InvariantCulture), line);
        }

        AssertBitIdentical(a, MatrixMarketReader.ReadMatrix(path));
    }

    [Fact]
    public void SymmetricWrite_RefusesNonsymmetricMatrix()
    {
        var path = TempPath("no.mtx");
        Assert.Throws<ArgumentException>(() => MatrixMarketWriter.WriteMatrix(path, RandomSystems.Nonsymmetric(20, seed: 1), asSymmetric: true));
        Assert.False(File.Exists(path));
        var rectangular = new TripletBuilder(2, 3).ToCsr();
        Assert.Throws<ArgumentException>(() => MatrixMarketWriter.WriteMatrix(new MemoryStream(), rectangular, asSymmetric: true));
    }

    // ---------------------------------------------------------------- reading variants

    [Fact]
    public void SymmetricRead_MirrorsOffDiagonalEntries()
    {
        var a = Read("""
            %%MatrixMarket matrix coordinate real symmetric
            3 3 4
            1 1 2
            2 1 -1
            3 2 -0.5
            3 3 4
            """);
        Assert.Equal(new double[,] { { 2, -1, 0 }, { -1, 0, -0.5 }, { 0, -0.5, 4 } }, a.ToDense());
        Assert.Equal(6, a.NonZeros);
    }

    [Fact]
    public void SkewSymmetricRead_MirrorsWithNegatedValue()
    {
        var a = Read("""
            %%MatrixMarket matrix coordinate real skew-symmetric
            3 3 3
            2 1 1.5
            3 1 -2
            3 2 7
            """);
        Assert.Equal(new double[,] { { 0, -1.5, 2 }, { 1.5, 0, -7 }, { -2, 7, 0 } }, a.ToDense());
        Assert.Equal(6, a.NonZeros);
        Assert.True(a.Transpose().ToDense().Cast<double>().SequenceEqual(a.ToDense().Cast<double>().Select(v => -v)));
    }

    [Fact]
    public void PatternRead_GivesOnes()
    {
        var a = Read("""
            %%MatrixMarket matrix coordinate pattern general
            2 3 3
            1 1
            2 3
            1 2
            """);
        Assert.Equal(new double[,] { { 1, 1, 0 }, { 0, 0, 1 } }, a.ToDense());
    }

    [Fact]
    public void PatternSymmetricRead_MirrorsOnes()
    {
        var a = Read("""
            %%MatrixMarket matrix coordinate pattern symmetric
            2 2 2
            1 1
            2 1
            """);
        Assert.Equal(new double[,] { { 1, 1 }, { 1, 0 } }, a.ToDense());
    }

    [Fact]
    public void IntegerRead_GivesExactValues()
    {
        var a = Read("""
            %%MatrixMarket matrix coordinate integer general
            2 2 3
            1 1 -7
            2 2 +12
            1 2 9007199254740993
            """);
        Assert.Equal(-7.0, a[0, 0]);
        Assert.Equal(12.0, a[1, 1]);
        Assert.Equal(9007199254740992.0, a[0, 1]); // 2^53 + 1 rounds to even, as the double parser does
    }

    [Fact]
    public void Read_SumsDuplicates()
    {
        var a = Read(GeneralBanner + "\n2 2 4\n1 1 1\n2 2 5\n1 1 0.25\n1 1 0.5\n");
        Assert.Equal(1.75, a[0, 0]);
        Assert.Equal(2, a.NonZeros);
    }

    [Fact]
    public void Read_AcceptsCrlfWhitespaceCommentsAndBlankLines()
    {
        string text = "%%MatrixMarket  Matrix Coordinate REAL General \r\n% comment\r\n\r\n%another\r\n  3 3 4  \r\n"
            + " 1 1 1.5 \r\n\r\n% between entries\r\n\t2\t1\t-2\r\n3   3   1e3   % trailing comment\r\n  \r\n2 2 +4";
        var a = Read(text);
        Assert.Equal(new double[,] { { 1.5, 0, 0 }, { -2, 4, 0 }, { 0, 0, 1000 } }, a.ToDense());
    }

    [Fact]
    public void Read_AcceptsUtf8ByteOrderMark()
    {
        var bytes = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(GeneralBanner + "\n1 1 1\n1 1 3\n")).ToArray();
        Assert.Equal(3.0, MatrixMarketReader.ReadMatrix(new MemoryStream(bytes))[0, 0]);
    }

    [Fact]
    public void Read_AcceptsCommentLongerThanTheReadBuffer()
    {
        string text = GeneralBanner + "\n%" + new string('x', 3 << 20) + "\n1 1 1\n1 1 3\n";
        Assert.Equal(3.0, Read(text)[0, 0]);
    }

    [Fact]
    public void Read_FromPath_UsesThePathInErrors()
    {
        var path = TempPath("A.mtx");
        File.WriteAllText(path, GeneralBanner + "\n1 1 1\n1 2 3\n");
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(path));
        Assert.Equal(path, e.FileName);
        Assert.Equal(3, e.LineNumber);
        Assert.StartsWith(path + " line 3: column index 2 is outside 1..1", e.Message);
    }

    [Fact]
    public void ReadHeader_DescribesTheFile()
    {
        var h = ReadHeader("%%MatrixMarket matrix coordinate integer symmetric\n% c\n5 5 9\n1 1 1\n");
        Assert.Equal(new MatrixMarketHeader(MatrixMarketFormat.Coordinate, MatrixMarketField.Integer, MatrixMarketSymmetry.Symmetric, 5, 5, 9), h);
        Assert.Equal("%%MatrixMarket matrix coordinate integer symmetric", h.Banner);

        Assert.Equal(12, ReadHeader("%%MatrixMarket matrix array real general\n4 3\n").Entries);
        Assert.Equal(10, ReadHeader("%%MatrixMarket matrix array real symmetric\n4 4\n").Entries);
        Assert.Equal(6, ReadHeader("%%MatrixMarket matrix array real skew-symmetric\n4 4\n").Entries);
    }

    [Fact]
    public void ReadHeader_DescribesComplexFiles_ThatCannotBeRead()
    {
        var h = ReadHeader("%%MatrixMarket matrix coordinate complex hermitian\n2 2 1\n1 1 1 0\n");
        Assert.Equal(MatrixMarketField.Complex, h.Field);
        Assert.Equal(MatrixMarketSymmetry.Hermitian, h.Symmetry);
    }

    // ---------------------------------------------------------------- vectors

    [Fact]
    public void VectorWriteThenRead_IsBitExact()
    {
        var v = RandomSystems.Vector(1001, seed: 2, low: -1e6, high: 1e6);
        v[0] = 0.1;
        v[1] = 1e-300;
        v[2] = -1.2345678901234567e+200;
        v[3] = -0.0;
        v[4] = double.Epsilon;
        var path = TempPath("v.mtx");
        MatrixMarketWriter.WriteVector(path, v);
        Assert.Equal("%%MatrixMarket matrix array real general", File.ReadLines(path).First());
        var back = MatrixMarketReader.ReadVector(path);
        Assert.Equal(v.Select(BitConverter.DoubleToInt64Bits), back.Select(BitConverter.DoubleToInt64Bits));

        var stream = new MemoryStream();
        MatrixMarketWriter.WriteVector(stream, v);
        stream.Position = 0;
        Assert.Equal(v.Select(BitConverter.DoubleToInt64Bits), MatrixMarketReader.ReadVector(stream).Select(BitConverter.DoubleToInt64Bits));
    }

    [Fact]
    public void VectorWriteThenRead_Empty()
    {
        var stream = new MemoryStream();
        MatrixMarketWriter.WriteVector(stream, []);
        stream.Position = 0;
        Assert.Empty(MatrixMarketReader.ReadVector(stream));
    }

    [Fact]
    public void WriteVector_RefusesNonFiniteValues()
    {
        var e = Assert.Throws<ArgumentException>(() => MatrixMarketWriter.WriteVector(new MemoryStream(), [1, double.NaN]));
        Assert.Contains("v[1]", e.Message);
        Assert.Throws<ArgumentException>(() => MatrixMarketWriter.WriteVector(TempPath("inf.mtx"), [double.PositiveInfinity]));
    }

    [Fact]
    public void ReadVector_AcceptsRowShapeIntegersAndSeveralValuesPerLine()
    {
        Assert.Equal([1.5, -2, 3], ReadVector("%%MatrixMarket matrix array real general\n1 3\n1.5\n-2\n3\n"));
        Assert.Equal([4.0, 5, 6], ReadVector("%%MatrixMarket matrix array integer general\n3 1\n4 5\n% c\n6\n"));
    }

    [Fact]
    public void ReadVector_FromCoordinateFile_FillsMissingEntriesWithZero()
    {
        Assert.Equal([0.0, 2.5, 0, 1], ReadVector(GeneralBanner + "\n4 1 3\n2 1 2\n4 1 1\n2 1 0.5\n"));
        Assert.Equal([7.0, 0], ReadVector(GeneralBanner + "\n1 2 1\n1 1 7\n"));
    }

    [Fact]
    public void ReadColumns_TakesColumnMajorArrays_CoordinateBlocks_AndVectors()
    {
        var block = MatrixMarketReader.ReadColumns(Utf8("%%MatrixMarket matrix array real general\n3 2\n1\n2\n3\n4 5 6\n"), "test.mtx");
        Assert.Equal((3, 2), (block.Rows, block.Columns));
        Assert.Equal([4.0, 5, 6], block.Column(1).ToArray());
        var sparse = MatrixMarketReader.ReadColumns(Utf8(GeneralBanner + "\n2 2 3\n2 2 1\n1 1 2\n2 2 0.5\n"), "test.mtx");
        Assert.Equal([2.0, 0, 0, 1.5], sparse.Values);
        var row = MatrixMarketReader.ReadColumns(Utf8("%%MatrixMarket matrix array real general\n1 3\n1\n2\n3\n"), "test.mtx");
        Assert.Equal((3, 1), (row.Rows, row.Columns));
    }

    [Fact]
    public void ReadColumns_RejectsSymmetricPatternAndTruncatedFiles_WithTheLine()
    {
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadColumns(Utf8("%%MatrixMarket matrix array real symmetric\n2 2\n1\n2\n3\n"), "b.mtx"));
        Assert.Contains("general", e.Message);
        e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadColumns(Utf8("%%MatrixMarket matrix array real general\n2 2\n1\n2\n3\n"), "b.mtx"));
        Assert.Contains("3 of the 4 values", e.Message);
        Assert.Equal(5, e.LineNumber);
    }

    [Fact]
    public void WriteColumns_RoundTrips()
    {
        var block = new DenseColumns(3, 2, [1.5, -2, 1e-300, 4, 5, 6]);
        var stream = new MemoryStream();
        MatrixMarketWriter.WriteColumns(stream, block);
        stream.Position = 0;
        var back = MatrixMarketReader.ReadColumns(stream, "roundtrip.mtx");
        Assert.Equal(block.Values, back.Values);
        Assert.Equal((3, 2), (back.Rows, back.Columns));
    }

    // ---------------------------------------------------------------- shared real-world matrices

    public static TheoryData<string> SharedMatrixNames()
    {
        var data = new TheoryData<string>();
        foreach (var (name, _) in SharedMatrices.Index()) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(SharedMatrixNames))]
    public void SharedMatrix_ReadsWithTheIndexedSize_AndMatchesAPlainTextParse(string name)
    {
        var row = File.ReadLines(Path.Combine(SharedMatrices.Directory, "INDEX.tsv")).Select(l => l.Split('\t')).Single(f => f[0] == name);
        int rows = int.Parse(row[1], CultureInfo.InvariantCulture);
        int stored = int.Parse(row[2], CultureInfo.InvariantCulture);
        bool symmetric = row[3].StartsWith("symmetric", StringComparison.Ordinal);
        var path = SharedMatrices.PathOf(name);

        var header = MatrixMarketReader.ReadHeader(path);
        Assert.Equal(rows, header.Rows);
        Assert.Equal(stored, header.Entries);
        Assert.Equal(symmetric ? MatrixMarketSymmetry.Symmetric : MatrixMarketSymmetry.General, header.Symmetry);

        var a = MatrixMarketReader.ReadMatrix(path);
        a.Validate();
        Assert.Equal(rows, a.Rows);
        var (reference, diagonalStored) = PlainTextParse(path);
        Assert.Equal(symmetric ? 2 * stored - diagonalStored : stored, a.NonZeros);
        AssertBitIdentical(reference, a);
    }

    /// <summary>An independent slow reader (string splitting, no shared code) to check the fast one against.</summary>
    private static (CsrMatrix Matrix, int DiagonalStored) PlainTextParse(string path)
    {
        var lines = File.ReadLines(path).Where(l => !l.StartsWith('%') && l.Trim().Length > 0).ToList();
        bool symmetric = File.ReadLines(path).First().Contains("symmetric", StringComparison.Ordinal);
        var size = lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var b = new TripletBuilder(int.Parse(size[0], CultureInfo.InvariantCulture), int.Parse(size[1], CultureInfo.InvariantCulture));
        int diagonal = 0;
        foreach (var line in lines.Skip(1))
        {
            var f = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            int i = int.Parse(f[0], CultureInfo.InvariantCulture) - 1, j = int.Parse(f[1], CultureInfo.InvariantCulture) - 1;
            double v = double.Parse(f[2], CultureInfo.InvariantCulture);
            b.Add(i, j, v);
            if (i == j) diagonal++;
            else if (symmetric) b.Add(j, i, v);
        }
        Assert.Equal(int.Parse(size[2], CultureInfo.InvariantCulture), lines.Count - 1);
        return (b.ToCsr(), diagonal);
    }

    // ---------------------------------------------------------------- malformed files: banner

    [Fact]
    public void EmptyFile_Fails() => ReadFails("", 1, "empty");

    [Fact]
    public void MissingBanner_Fails() => ReadFails("3 3 1\n1 1 1\n", 1, "missing %%MatrixMarket banner");

    [Fact]
    public void BlankFirstLine_FailsAsMissingBanner() => ReadFails("\n" + GeneralBanner + "\n1 1 0\n", 1, "missing %%MatrixMarket banner");

    [Fact]
    public void BannerWithTooFewWords_Fails() => ReadFails("%%MatrixMarket matrix coordinate real\n1 1 0\n", 1, "4 words");

    [Fact]
    public void UnknownObject_Fails() => ReadFails("%%MatrixMarket vector coordinate real general\n1 1 0\n", 1, "unknown object 'vector'");

    [Fact]
    public void UnknownFormat_Fails() => ReadFails("%%MatrixMarket matrix sparse real general\n1 1 0\n", 1, "unknown format 'sparse'");

    [Fact]
    public void UnknownField_Fails() => ReadFails("%%MatrixMarket matrix coordinate float general\n1 1 0\n", 1, "unknown field 'float'");

    [Fact]
    public void UnknownSymmetry_Fails() => ReadFails("%%MatrixMarket matrix coordinate real upper\n1 1 0\n", 1, "unknown symmetry 'upper'");

    [Fact]
    public void ComplexMatrix_Fails() =>
        ReadFails("%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 0\n", 1, "complex matrices are not supported");

    [Fact]
    public void HermitianMatrix_Fails() =>
        ReadFails("%%MatrixMarket matrix coordinate complex hermitian\n1 1 1\n1 1 1 0\n", 1, "complex matrices are not supported");

    [Fact]
    public void PatternArray_Fails() => ReadFails("%%MatrixMarket matrix array pattern general\n1 1\n", 1, "array format");

    [Fact]
    public void PatternSkewSymmetric_Fails() => ReadFails("%%MatrixMarket matrix coordinate pattern skew-symmetric\n2 2 1\n2 1\n", 1, "skew-symmetric");

    [Fact]
    public void ArrayFileReadAsMatrix_FailsPointingToReadVector() =>
        ReadFails("%%MatrixMarket matrix array real general\n2 1\n1\n2\n", 1, "ReadVector");

    // ---------------------------------------------------------------- malformed files: size line

    [Fact]
    public void MissingSizeLine_Fails_AtTheLastLine() => ReadFails(GeneralBanner + "\n% only comments\n%\n", 3, "ends before the size line");

    [Fact]
    public void SizeLineWithTooFewNumbers_Fails() => ReadFails(GeneralBanner + "\n% c\n3 3\n", 3, "has 2 numbers");

    [Fact]
    public void SizeLineWithExtraNumber_Fails() => ReadFails(GeneralBanner + "\n3 3 1 7\n1 1 1\n", 2, "extra token '7'");

    [Fact]
    public void SizeLineNegative_Fails() => ReadFails(GeneralBanner + "\n% c\n3 -4 5\n", 3, "columns -4 is negative");

    [Fact]
    public void SizeLineNonNumeric_Fails() => ReadFails(GeneralBanner + "\n3 x 5\n", 2, "columns 'x' is not a whole number");

    [Fact]
    public void SizeLineFractional_Fails() => ReadFails(GeneralBanner + "\n3 3 2.5\n", 2, "entries '2.5' is not a whole number");

    [Fact]
    public void RowsBeyondInt32_Fail() => ReadFails(GeneralBanner + "\n3000000000 4 5\n", 2, "rows 3000000000 exceeds 2147483647");

    [Fact]
    public void ColumnsBeyondInt64_Fail() =>
        ReadFails(GeneralBanner + "\n4 123456789012345678901234567890 5\n", 2, "exceeds 2147483647");

    [Fact]
    public void EntriesBeyondArrayLimit_Fail() => ReadFails(GeneralBanner + "\n4 4 99999999999\n", 2, "entries 99999999999 exceeds");

    [Fact]
    public void ArrayValuesBeyondArrayLimit_Fail() =>
        VectorFails("%%MatrixMarket matrix array real general\n2000000000 2\n", 2, "exceeds");

    [Fact]
    public void SymmetricNonSquare_Fails() => ReadFails("%%MatrixMarket matrix coordinate real symmetric\n3 4 1\n1 1 1\n", 2, "must be square");

    // ---------------------------------------------------------------- malformed files: entries

    [Fact]
    public void TruncatedFile_Fails_NamingTheLastDataLine() =>
        ReadFails(GeneralBanner + "\n3 3 5\n1 1 1\n2 2 1\n% c\n3 3 1\n\n% trailing\n", 6, "ends after 3 of the 5 entries");

    [Fact]
    public void TruncatedFileWithNoEntries_Fails_AtTheSizeLine() => ReadFails(GeneralBanner + "\n% c\n3 3 2\n", 3, "ends after 0 of the 2 entries");

    [Fact]
    public void TruncatedFile_DeclaringBillionsOfEntries_FailsWithoutExhaustingMemory() =>
        ReadFails(GeneralBanner + "\n3 3 2000000000\n1 1 1\n", 3, "ends after 1 of the 2000000000 entries");

    [Fact]
    public void MoreEntriesThanDeclared_Fails_AtTheFirstExtraLine() =>
        ReadFails(GeneralBanner + "\n3 3 2\n1 1 1\n2 2 1\n% c\n\n3 3 1\n", 7, "more entries than the 2");

    [Fact]
    public void RowIndexZero_Fails() => ReadFails(Coordinate("1 1 1", "0 2 1"), 5, "row index 0 is outside 1..3 (Matrix Market indices are 1-based)");

    [Fact]
    public void RowIndexAboveSize_Fails() => ReadFails(Coordinate("4 1 1"), 4, "row index 4 is outside 1..3");

    [Fact]
    public void NegativeRowIndex_Fails() => ReadFails(Coordinate("-1 1 1"), 4, "row index -1 is outside 1..3");

    [Fact]
    public void ColumnIndexOutOfRange_Fails_WithTheDocumentedMessage()
    {
        var text = GeneralBanner + "\n% c\n10 10 14\n" + string.Concat(Enumerable.Range(1, 13).Select(i => $"{i % 10 + 1} 1 1\n")) + "3 12 1\n";
        var e = ReadFails(text, 17, "column index 12 is outside 1..10", "A.mtx");
        Assert.StartsWith("A.mtx line 17: column index 12 is outside 1..10", e.Message);
    }

    [Fact]
    public void HugeIndex_Fails_AsOutOfRange() => ReadFails(Coordinate("99999999999999999999999 1 1"), 4, "outside 1..3");

    [Fact]
    public void NonNumericIndex_Fails() => ReadFails(Coordinate("1 1 1", "2 b 1"), 5, "column index 'b' is not a whole number");

    [Fact]
    public void FractionalIndex_Fails() => ReadFails(Coordinate("1.0 1 1"), 4, "row index '1.0' is not a whole number");

    [Fact]
    public void MissingColumnIndex_Fails() => ReadFails(Coordinate("2"), 4, "missing column index");

    [Fact]
    public void NonNumericValue_Fails() => ReadFails(Coordinate("1 1 1", "2 2 abc"), 5, "value 'abc' is not a number");

    [Theory]
    [InlineData("NaN")]
    [InlineData("nan")]
    [InlineData("Infinity")]
    [InlineData("-Infinity")]
    [InlineData("1e999")]
    public void NonFiniteValue_Fails(string token) => ReadFails(Coordinate("1 1 1", "2 2 " + token), 5, "not finite");

    [Fact]
    public void MissingValueInRealFile_Fails() => ReadFails(Coordinate("1 1 1", "1 2"), 5, "missing value after the column index (the field is real)");

    [Fact]
    public void ExtraTokenOnEntry_Fails() => ReadFails(Coordinate("1 1 1 4"), 4, "extra token '4'");

    [Fact]
    public void NonIntegerValueInIntegerFile_Fails() =>
        ReadFails("%%MatrixMarket matrix coordinate integer general\n2 2 1\n1 1 1.5\n", 3, "value '1.5' is not an integer");

    [Fact]
    public void SkewSymmetricNonzeroDiagonal_Fails() =>
        ReadFails("%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1\n2 2 3\n", 4, "zero diagonal");

    [Fact]
    public void DuplicatesSummingPastDoubleRange_Fail() =>
        ReadFails(GeneralBanner + "\n2 2 2\n1 2 1e308\n1 2 1e308\n", 0, "entries at (1, 2) sum to Infinity");

    [Fact]
    public void BinaryGarbage_FailsWithMatrixMarketException()
    {
        var rng = new Random(3);
        var garbage = new byte[5000];
        rng.NextBytes(garbage);
        var bytes = Encoding.ASCII.GetBytes(GeneralBanner + "\n3 3 3\n").Concat(garbage).ToArray();
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(new MemoryStream(bytes), FileName));
        Assert.True(e.LineNumber >= 3);
        Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(new MemoryStream(garbage), FileName));
    }

    // ---------------------------------------------------------------- malformed files: vectors

    [Fact]
    public void VectorOfMatrixShape_Fails() => VectorFails("%%MatrixMarket matrix array real general\n% c\n3 2\n", 3, "not a vector");

    [Fact]
    public void TruncatedVector_Fails_NamingTheLastDataLine() =>
        VectorFails("%%MatrixMarket matrix array real general\n4 1\n1\n2\n% c\n", 4, "ends after 2 of the 4 values");

    [Fact]
    public void VectorWithTooManyValues_Fails() => VectorFails("%%MatrixMarket matrix array real general\n2 1\n1\n2\n3\n", 5, "more values than the 2");

    [Fact]
    public void VectorWithTooManyValuesOnTheLastLine_Fails() => VectorFails("%%MatrixMarket matrix array real general\n2 1\n1 2 3\n", 3, "more values than the 2");

    [Fact]
    public void VectorWithNaN_Fails() => VectorFails("%%MatrixMarket matrix array real general\n2 1\n1\nNaN\n", 4, "not finite");

    [Fact]
    public void VectorWithNonNumericValue_Fails() => VectorFails("%%MatrixMarket matrix array real general\n2 1\n1\n1,5\n", 4, "value '1,5' is not a number");

    [Fact]
    public void SymmetricVector_Fails() => VectorFails("%%MatrixMarket matrix array real symmetric\n1 1\n1\n", 1, "must be general");

    [Fact]
    public void PatternVector_Fails() => VectorFails("%%MatrixMarket matrix coordinate pattern general\n3 1 1\n1 1\n", 1, "pattern");

    [Fact]
    public void CoordinateVectorIndexOutOfRange_Fails() => VectorFails(GeneralBanner + "\n3 1 1\n4 1 1\n", 3, "row index 4 is outside 1..3");

    [Fact]
    public void VectorLongerThanArrayLimit_Fails() => VectorFails(GeneralBanner + "\n2147483647 1 0\n", 2, "exceeds");

    [Fact]
    public void EmptyVectorFile_Fails() => VectorFails("", 1, "empty");

    // ---------------------------------------------------------------- helpers

    /// <summary>A 3 x 3 general file whose entry lines start at line 4.</summary>
    private static string Coordinate(params string[] entries) =>
        GeneralBanner + "\n% comment\n3 3 " + entries.Length + "\n" + string.Join("\n", entries) + "\n";

    private static MatrixMarketException ReadFails(string text, long line, string fragment, string fileName = FileName)
    {
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(Utf8(text), fileName));
        AssertNames(e, line, fragment, fileName);
        return e;
    }

    private static void VectorFails(string text, long line, string fragment)
    {
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadVector(Utf8(text), FileName));
        AssertNames(e, line, fragment, FileName);
    }

    private static void AssertNames(MatrixMarketException e, long line, string fragment, string fileName)
    {
        Assert.Equal(fileName, e.FileName);
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(fragment, e.Message);
        Assert.StartsWith(line > 0 ? $"{fileName} line {line}: " : $"{fileName}: ", e.Message);
    }

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    private static CsrMatrix Read(string text) => MatrixMarketReader.ReadMatrix(Utf8(text), "test.mtx");

    private static double[] ReadVector(string text) => MatrixMarketReader.ReadVector(Utf8(text), "test.mtx");

    private static MatrixMarketHeader ReadHeader(string text) => MatrixMarketReader.ReadHeader(Utf8(text), "test.mtx");

    private static byte[] Write(CsrMatrix a)
    {
        var stream = new MemoryStream();
        MatrixMarketWriter.WriteMatrix(stream, a);
        return stream.ToArray();
    }

    private static CsrMatrix RoundTrip(CsrMatrix a) => MatrixMarketReader.ReadMatrix(new MemoryStream(Write(a)), "roundtrip.mtx");

    private static void AssertBitIdentical(CsrMatrix expected, CsrMatrix actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(expected.RowPointers, actual.RowPointers);
        Assert.Equal(expected.ColumnIndices.AsSpan(0, expected.NonZeros).ToArray(), actual.ColumnIndices.AsSpan(0, actual.NonZeros).ToArray());
        Assert.Equal(
            expected.Values.AsSpan(0, expected.NonZeros).ToArray().Select(BitConverter.DoubleToInt64Bits),
            actual.Values.AsSpan(0, actual.NonZeros).ToArray().Select(BitConverter.DoubleToInt64Bits));
    }

    /// <summary>A forward-only stream that hands out 1 to 7 bytes per read, as pipes and sockets may.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
    {
        private int _position;
        private int _turn;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(Math.Min(count, 1 + _turn++ % 7), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
