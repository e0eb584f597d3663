using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>`generate` writes its matrix and right-hand side together or not at all.</summary>
public sealed class GenerateOutputTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-generate-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Generate_WhoseRightHandSideCannotBeWritten_LeavesNeitherFile()
    {
        string a = Path.Combine(_dir, "A.mtx"), b = Path.Combine(_dir, "missing", "b.mtx");
        var (code, _, err) = CliRunner.Run("generate", "--problem", "poisson2d", "--n", "8", "--out", a, "--rhs-out", b);
        Assert.True(code != 0, err);
        Assert.Empty(Directory.GetFileSystemEntries(_dir));
    }

    [Fact]
    public void Generate_WritesBothFiles_AndNothingElse()
    {
        string a = Path.Combine(_dir, "A.mtx"), b = Path.Combine(_dir, "b.mtx");
        var (code, _, err) = CliRunner.Run("generate", "--problem", "poisson2d", "--n", "8", "--out", a, "--rhs-out", b);
        Assert.True(code == 0, err);
        Assert.Equal([a, b], Directory.GetFiles(_dir).Order());
    }
}
