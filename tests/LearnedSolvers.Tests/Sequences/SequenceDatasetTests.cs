using LearnedSolvers.Sequences;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sequences;

public sealed class SequenceDatasetTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-h5-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathIn(string name) => Path.Combine(_dir, name);

    private string WriteSample(string name, int count, int n, int coefficients, int[] solveOrder, int? stopAfter = null)
    {
        var path = PathIn(name);
        using var writer = new SequenceDatasetWriter(path, count, n, coefficients, "diffusion", "gcrodr", "skr", 8, 2, 1e-8);
        foreach (var (i, t) in solveOrder.Select((i, t) => (i, t)))
        {
            if (t == stopAfter) break;
            writer.Write(i, RandomSystems.Vector(n, 100 + i), RandomSystems.Vector(n, 200 + i),
                coefficients > 0 ? RandomSystems.Vector(coefficients, 300 + i) : null, 10 + i, 1e-9 * (i + 1));
        }
        return path;
    }

    [Fact]
    public void RoundTrip_KeepsEveryRow_InInputOrder_AndTheSolveOrder()
    {
        int[] solveOrder = [3, 1, 0, 4, 2];
        var data = SequenceDataset.Read(WriteSample("a.h5", 5, 64, 81, solveOrder));
        Assert.Equal((5, 64), (data.Count, data.Unknowns));
        Assert.Equal(solveOrder, data.SolveOrder);
        Assert.Equal(("diffusion", "gcrodr", "skr", 8, 2, 1e-8), (data.Problem, data.Method, data.Order, data.GridSize, data.Dimension, data.RelativeTolerance));
        for (int i = 0; i < 5; i++)
        {
            Assert.Equal(RandomSystems.Vector(64, 100 + i), Row(data.RightHandSides, i));
            Assert.Equal(RandomSystems.Vector(64, 200 + i), Row(data.Solutions, i));
            Assert.Equal(RandomSystems.Vector(81, 300 + i), Row(data.Coefficients!, i));
            Assert.Equal(10 + i, data.Iterations[i]);
            Assert.Equal(1e-9 * (i + 1), data.RelativeResiduals[i]);
        }
    }

    [Fact]
    public void WithoutCoefficients_TheFieldIsAbsent()
    {
        var data = SequenceDataset.Read(WriteSample("b.h5", 2, 10, 0, [0, 1]));
        Assert.Null(data.Coefficients);
    }

    [Fact]
    public void TruncatedFile_IsRejected_NotReadAsZeros()
    {
        var path = WriteSample("c.h5", 6, 500, 0, [0, 1, 2, 3, 4, 5]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 6 / 10)]);
        var e = Assert.Throws<DatasetFormatException>(() => SequenceDataset.Read(path));
        Assert.Equal(path, e.Path);
    }

    [Fact]
    public void TruncatedFileFoundByFuzzing_FailsFast_SayingItIsTruncated()
    {
        // A data set cut after 1,896 of its 5,855 bytes: PureHDF 2.2 alone read its headers over and over without returning.
        var path = RepositoryFiles.PathOf("tests", "data", "fuzz", "dataset", "truncated-after-superblock.h5");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var e = Assert.Throws<DatasetFormatException>(() => SequenceDataset.Read(path));
        Assert.Contains("truncated HDF5 file: 1896 bytes, but the superblock says it ends at byte 5855", e.Message);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    [Fact]
    public void ASignatureAndFiveBytes_AreATruncatedSuperblock_NotACrash()
    {
        // 13 bytes found by fuzzing: a version-0 superblock's address size sits at byte 13, one past the end.
        var path = RepositoryFiles.PathOf("tests", "data", "fuzz", "dataset", "superblock-cut-at-13-bytes.h5");
        Assert.Contains("truncated HDF5 file: 13 bytes, but the superblock is cut off", Assert.Throws<DatasetFormatException>(() => SequenceDataset.Read(path)).Message);
    }

    [Theory]
    [InlineData("corrupt-object-header-1.h5")]
    [InlineData("corrupt-object-header-2.h5")]
    [InlineData("corrupt-object-header-3.h5")]
    [InlineData("address-before-start.h5")] // a shared message's address before byte 0: FileStream's "Invalid argument"
    public async Task CorruptObjectHeadersFoundByFuzzing_FailFast(string name)
    {
        // Whole-length files with a few bytes changed in the object headers: PureHDF 2.2 reading the file at offsets kept
        // reading past its end (zero bytes) and never returned. Read on a worker so that a regression fails, not hangs.
        var path = RepositoryFiles.PathOf("tests", "data", "fuzz", "dataset", name);
        var read = Task.Run(() => SequenceDataset.Read(path), TestContext.Current.CancellationToken);
        var first = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken));
        Assert.True(ReferenceEquals(first, read), "the read did not return in 20 s");
        await Assert.ThrowsAsync<DatasetFormatException>(() => read);
    }

    [Fact]
    public void ACorruptSuperblock_IsAChecksumMismatch()
    {
        var path = WriteSample("g.h5", 3, 20, 0, [0, 1, 2]);
        var bytes = File.ReadAllBytes(path);
        bytes[36] ^= 0x40; // inside the root group's object header address
        File.WriteAllBytes(path, bytes);
        Assert.Contains("superblock checksum mismatch", Assert.Throws<DatasetFormatException>(() => SequenceDataset.Read(path)).Message);
    }

    [Theory]
    [InlineData("", 0u, 0xdeadbeefu)]
    [InlineData("Four score and seven years ago", 0u, 0x17770551u)]
    [InlineData("Four score and seven years ago", 1u, 0xcd628161u)]
    public void Lookup3_GivesJenkinsReferenceValues(string text, uint initial, uint expected) =>
        Assert.Equal(expected, JenkinsLookup3.Hash(System.Text.Encoding.ASCII.GetBytes(text), initial));

    [Fact]
    public void InterruptedRun_LeavesNoFile_AndNoTemporaryFile()
    {
        var path = WriteSample("d.h5", 5, 20, 0, [0, 1, 2, 3, 4], stopAfter: 3);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void InterruptedRun_KeepsThePreviousFileWhole()
    {
        var path = WriteSample("e.h5", 3, 20, 0, [2, 0, 1]);
        WriteSample("e.h5", 5, 20, 0, [0, 1, 2, 3, 4], stopAfter: 3);
        var data = SequenceDataset.Read(path);
        Assert.Equal((3, 20), (data.Count, data.Unknowns));
        Assert.Equal([2, 0, 1], data.SolveOrder);
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void WhileWriting_TheTargetDoesNotExistYet()
    {
        var path = PathIn("f.h5");
        using (var writer = new SequenceDatasetWriter(path, 2, 4, 0, "poisson", "gmres", "natural", 2, 2, 1e-8))
        {
            writer.Write(0, new double[4], new double[4], null, 1, 0);
            writer.Write(1, new double[4], new double[4], null, 1, 0);
            Assert.False(File.Exists(path));
        }
        Assert.Equal(2, SequenceDataset.Read(path).Count);
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void NotAnHdf5File_IsRejected()
    {
        var path = PathIn("e.h5");
        File.WriteAllText(path, "this is not HDF5\n");
        Assert.Contains("not an HDF5 file", Assert.Throws<DatasetFormatException>(() => SequenceDataset.Read(path)).Message);
        Assert.Throws<FileNotFoundException>(() => SequenceDataset.Read(PathIn("missing.h5")));
    }

    [Fact]
    public void Writer_RejectsBadRows()
    {
        using var writer = new SequenceDatasetWriter(PathIn("f.h5"), 2, 4, 0, "p", "m", "natural", 0, 0, 1e-8);
        Assert.Throws<ArgumentException>(() => writer.Write(0, new double[3], new double[4], null, 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(2, new double[4], new double[4], null, 1, 0));
        writer.Write(0, new double[4], new double[4], null, 1, 0);
        Assert.Throws<InvalidOperationException>(() => writer.Write(0, new double[4], new double[4], null, 1, 0));
    }

    private static double[] Row(double[,] a, int i) => Enumerable.Range(0, a.GetLength(1)).Select(j => a[i, j]).ToArray();
}
