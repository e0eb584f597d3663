using LearnedSolvers.Cli;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>`learnedsolvers sequence`: the sequence solver of `dataset` on systems the user brings.</summary>
public sealed class SequenceCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-sequence-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathIn(string name) => Path.Combine(_dir, name);

    /// <summary>`dataset` on a 20-member diffusion family, returning its file and what it stored.</summary>
    private (string Path, SequenceDataset Data) Dataset(string order)
    {
        string path = PathIn($"dataset-{order}.h5");
        var (code, output, err) = CliRunner.Run("dataset", "--problem", "diffusion", "--count", "20", "--n", "16", "--perturbation", "0.3",
            "--method", "gcrodr", "--order", order, "--restart", "20", "--recycle", "5", "--out", path);
        Assert.True(code == 0, err + output);
        return (path, SequenceDataset.Read(path));
    }

    /// <summary>The data set's systems as NAME.mtx with NAME_b.mtx beside it, in a folder whose name order is the input order.</summary>
    private string WriteAsMatrixMarket(string datasetPath, string folder)
    {
        string dir = Directory.CreateDirectory(PathIn(folder)).FullName;
        var (_, systems) = DatasetSystems.Read(datasetPath, "--matrices");
        for (int i = 0; i < systems.Count; i++)
        {
            MatrixMarketWriter.WriteMatrix(Path.Combine(dir, $"system{i:D2}.mtx"), systems[i].Matrix);
            MatrixMarketWriter.WriteVector(Path.Combine(dir, $"system{i:D2}_b.mtx"), systems[i].RightHandSide);
        }
        return dir;
    }

    private SequenceDataset Sequence(params string[] args)
    {
        string path = PathIn($"sequence-{Guid.NewGuid():N}.h5");
        var (code, output, err) = CliRunner.Run(["sequence", .. args, "--restart", "20", "--recycle", "5", "--out", path]);
        Assert.True(code == 0, err + output);
        return SequenceDataset.Read(path);
    }

    [Fact]
    public void MatrixMarketFolder_InNaturalOrder_TakesTheIterationsOfDataset()
    {
        var (path, stored) = Dataset("natural");
        string dir = WriteAsMatrixMarket(path, "files");
        var solved = Sequence("--matrices", dir, "--method", "gcrodr", "--order", "natural");
        Assert.Equal(stored.Iterations, solved.Iterations);
        Assert.Equal(stored.SolveOrder, solved.SolveOrder);
        Assert.Equal("matrices", solved.Problem);
        for (int i = 0; i < stored.Count; i++)
            for (int j = 0; j < stored.Unknowns; j++)
                Assert.Equal(stored.RightHandSides[i, j], solved.RightHandSides[i, j]);
    }

    [Fact]
    public void DatasetFile_InSkrOrder_TakesTheOrderAndIterationsOfDataset()
    {
        var (path, stored) = Dataset("skr");
        var solved = Sequence("--matrices", path, "--method", "gcrodr", "--order", "skr");
        Assert.Equal(stored.SolveOrder, solved.SolveOrder);
        Assert.Equal(stored.Iterations, solved.Iterations);
        Assert.Equal("diffusion", solved.Problem);
        Assert.NotNull(solved.Coefficients);
    }

    [Fact]
    public void List_RelativeToItsFolder_WithBaseline_PrintsTheSummaryTable()
    {
        var family = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 8, Seed = 3 }, count: 4, perturbation: 0.3, seed: 4).ToList();
        Directory.CreateDirectory(PathIn("m"));
        for (int i = 0; i < family.Count; i++) MatrixMarketWriter.WriteMatrix(PathIn($"m/a{i}.mtx"), family[i].Matrix);
        // Listed out of name order, with a comment and a blank line: the list's order is the input order.
        File.WriteAllLines(PathIn("list.txt"), ["# four diffusion matrices", "m/a2.mtx", "", "m/a0.mtx", "m/a1.mtx", "m/a3.mtx"]);
        string outPath = PathIn("out.h5");
        var (code, output, err) = CliRunner.Run("sequence", "--matrices", PathIn("list.txt"), "--method", "gcrodr", "--restart", "20", "--recycle", "5",
            "--out", outPath, "--baseline");
        Assert.True(code == 0, err + output);
        Assert.Contains("gcrodr(20,5) skr", output);
        Assert.Contains("gmres(20) natural", output);
        Assert.Contains("speedup against the baseline", output);
        var data = SequenceDataset.Read(outPath);
        Assert.Equal(4, data.Count);
        int[] listed = [2, 0, 1, 3];
        for (int i = 0; i < 4; i++)
        {
            var a = family[listed[i]].Matrix;
            var x = DatasetSystems.Row(data.Solutions, i);
            var b = new double[a.Rows];
            a.Multiply(Enumerable.Repeat(1.0, a.Rows).ToArray(), b); // no NAME_b.mtx: b = A·ones
            Assert.Equal(b, DatasetSystems.Row(data.RightHandSides, i));
            Assert.True(Reference.TrueRelativeResidual(a, x, b) <= 1e-8);
        }
    }

    [Fact]
    public void RhsFolder_GivesEachMatrixItsVector()
    {
        var a = Poisson.TwoD(6).Matrix;
        Directory.CreateDirectory(PathIn("a"));
        Directory.CreateDirectory(PathIn("b"));
        var rhs = Enumerable.Range(0, 3).Select(i => RandomSystems.Vector(a.Rows, i)).ToArray();
        for (int i = 0; i < 3; i++)
        {
            MatrixMarketWriter.WriteMatrix(PathIn($"a/{i}.mtx"), a);
            MatrixMarketWriter.WriteVector(PathIn($"b/{i}.mtx"), rhs[i]);
        }
        var data = Sequence("--matrices", PathIn("a"), "--rhs", PathIn("b"), "--method", "gmres");
        for (int i = 0; i < 3; i++) Assert.Equal(rhs[i], DatasetSystems.Row(data.RightHandSides, i));
    }

    [Fact]
    public void FilesOfDifferentSizes_ExitWith2_NamingTheFileAndBothSizes()
    {
        Directory.CreateDirectory(PathIn("mixed"));
        MatrixMarketWriter.WriteMatrix(PathIn("mixed/a.mtx"), Poisson.TwoD(4).Matrix);
        MatrixMarketWriter.WriteMatrix(PathIn("mixed/b.mtx"), Poisson.TwoD(4).Matrix);
        MatrixMarketWriter.WriteMatrix(PathIn("mixed/c.mtx"), Poisson.TwoD(5).Matrix);
        var (code, _, err) = CliRunner.Run("sequence", "--matrices", PathIn("mixed"), "--out", PathIn("x.h5"));
        Assert.Equal(2, code);
        Assert.Contains("c.mtx is 25 x 25", err);
        Assert.Contains("16 x 16", err);
        Assert.DoesNotContain("   at ", err);
        Assert.False(File.Exists(PathIn("x.h5")));
    }

    [Fact]
    public void EmptyListOrFolder_ExitsWith2()
    {
        File.WriteAllLines(PathIn("empty.txt"), ["# nothing here", ""]);
        Directory.CreateDirectory(PathIn("none"));
        var (code, _, err) = CliRunner.Run("sequence", "--matrices", PathIn("empty.txt"), "--out", PathIn("x.h5"));
        Assert.Equal(2, code);
        Assert.Contains("names no files", err);
        (code, _, err) = CliRunner.Run("sequence", "--matrices", PathIn("none"), "--out", PathIn("x.h5"));
        Assert.Equal(2, code);
        Assert.Contains("no Matrix Market files", err);
    }

    [Fact]
    public void RhsCountMismatch_ExitsWith2()
    {
        Directory.CreateDirectory(PathIn("a"));
        Directory.CreateDirectory(PathIn("b"));
        var a = Poisson.TwoD(4).Matrix;
        MatrixMarketWriter.WriteMatrix(PathIn("a/0.mtx"), a);
        MatrixMarketWriter.WriteMatrix(PathIn("a/1.mtx"), a);
        MatrixMarketWriter.WriteVector(PathIn("b/0.mtx"), new double[a.Rows]);
        var (code, _, err) = CliRunner.Run("sequence", "--matrices", PathIn("a"), "--rhs", PathIn("b"), "--out", PathIn("x.h5"));
        Assert.Equal(2, code);
        Assert.Contains("1 right-hand side(s) for 2 matrices", err);
    }

    [Fact]
    public void Distance_FollowsWhatTellsTheSystemsApart()
    {
        var family = ParametricFamily.Diffusion(new DiffusionOptions { GridSize = 6, Seed = 1 }, count: 3, perturbation: 0.3, seed: 2).ToList();
        Assert.Equal(SequenceDistance.CoefficientField, SequenceCommand.Distance(family));
        Assert.Equal(SequenceDistance.MatrixValues, SequenceCommand.Distance(family.Select(s => s with { Coefficients = null }).ToList()));
        var poisson = ParametricFamily.RightHandSides(Poisson.TwoD(6), 3, 0).ToList();
        Assert.Equal(SequenceDistance.RightHandSide, SequenceCommand.Distance(poisson));
    }
}
