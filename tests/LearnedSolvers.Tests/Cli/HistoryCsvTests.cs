using LearnedSolvers.Cli;

namespace LearnedSolvers.Tests.Cli;

/// <summary>histories.csv reads back exactly what was written.</summary>
public sealed class HistoryCsvTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-csv-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Read_ReturnsWhatWriteWrote_IncludingQuotedNamesAndNonFiniteValues()
    {
        ConvergencePoint[] points =
        [
            new("gmres", "ilu0", 0, 1.0, 0.00123),
            new("gmres", "ilu0", 1, 0.1 + 0.2, 1.0 / 3.0),
            new("pcg", "odd, \"quoted\" name", 0, double.NaN, 0),
            new("bicgstab", "none", 7, double.PositiveInfinity, 2.5e-7),
            new("cg", "none", 2, double.Epsilon, 1e300),
        ];
        string path = Path.Combine(_dir, "histories.csv");
        HistoryCsv.Write(path, points);
        Assert.StartsWith(HistoryCsv.Header + "\n", File.ReadAllText(path));
        Assert.Equal(points, HistoryCsv.Read(path));
    }

    [Fact]
    public void Read_RefusesAFileWithAnotherHeader()
    {
        string path = Path.Combine(_dir, "other.csv");
        File.WriteAllText(path, "a,b\n1,2\n");
        Assert.Throws<FormatException>(() => HistoryCsv.Read(path));
    }
}
