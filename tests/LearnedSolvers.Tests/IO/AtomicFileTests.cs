using LearnedSolvers.IO;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.IO;

/// <summary>Files are written whole or not at all, by AtomicFile and by the writers built on it.</summary>
public sealed class AtomicFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-atomic-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Write_ThatFailsHalfway_LeavesTheOldFile_AndNoTemporaryFile()
    {
        string path = Path.Combine(_dir, "report.md");
        AtomicFile.WriteAllText(path, "old");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write("new, half"u8);
            throw new InvalidOperationException("interrupted");
        }));
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_dir));
    }

    [Fact]
    public void Write_ThatFailsHalfway_LeavesNoFileAtAll_WhereThereWasNone()
    {
        string path = Path.Combine(_dir, "x.mtx");
        Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw new IOException("disk full");
        }));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Write_ReplacesTheFileWhole()
    {
        string path = Path.Combine(_dir, "plot.png");
        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        AtomicFile.WriteAllBytes(path, [4, 5]);
        Assert.Equal([4, 5], File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void MatrixMarketWriter_ReplacesWhole_AndLeavesNoTemporaryFile()
    {
        string a = Path.Combine(_dir, "A.mtx"), b = Path.Combine(_dir, "b.mtx"), x = Path.Combine(_dir, "X.mtx");
        var matrix = RandomSystems.Spd(30, 1);
        File.WriteAllText(a, "old");
        MatrixMarketWriter.WriteMatrix(a, matrix, asSymmetric: true);
        MatrixMarketWriter.WriteVector(b, RandomSystems.Vector(30, 2));
        MatrixMarketWriter.WriteColumns(x, new DenseColumns(30, 2, RandomSystems.Vector(60, 3)));
        Assert.Equal(matrix.Values, MatrixMarketReader.ReadMatrix(a).Values);
        Assert.Equal(RandomSystems.Vector(30, 2), MatrixMarketReader.ReadVector(b));
        Assert.Equal(3, Directory.GetFiles(_dir).Length);
    }

    [Fact]
    public void MatrixMarketWriter_IntoAMissingFolder_LeavesNothing()
    {
        string path = Path.Combine(_dir, "missing", "b.mtx");
        Assert.Throws<DirectoryNotFoundException>(() => MatrixMarketWriter.WriteVector(path, RandomSystems.Vector(10, 1)));
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }
}
