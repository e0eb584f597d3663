using LearnedSolvers.Cli;
using LearnedSolvers.Sequences;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>
/// A 7-member diffusion family on a 16 × 16 grid written whole and as shards 1/3, 2/3, 3/3 (members 0-1, 2-3, 4-6),
/// once for all the tests of <see cref="DatasetShardCliTests"/>.
/// </summary>
public sealed class ShardedDiffusionRun : IDisposable
{
    public const int Count = 7, Shards = 3;
    public const double Tolerance = 1e-8;
    public static readonly string[] Family = ["dataset", "--problem", "diffusion", "--count", "7", "--n", "16", "--restart", "20", "--recycle", "5", "--rtol", "1e-8"];

    public string Dir { get; } = Directory.CreateTempSubdirectory("ls-shards-").FullName;
    public string Whole { get; }
    public string[] ShardPaths { get; }

    public ShardedDiffusionRun()
    {
        Whole = Run("whole.h5");
        ShardPaths = [.. Enumerable.Range(1, Shards).Select(i => Run($"shard-{i}.h5", "--shard", $"{i}/{Shards}"))];
    }

    /// <summary>The family with <paramref name="extra"/> options, written to <paramref name="name"/> in <see cref="Dir"/>.</summary>
    public string Run(string name, params string[] extra)
    {
        string path = System.IO.Path.Combine(Dir, name);
        var (code, output, err) = CliRunner.Run([.. Family, .. extra, "--out", path]);
        Assert.True(code == ExitCodes.Success, err + output);
        return path;
    }

    public void Dispose() => Directory.Delete(Dir, recursive: true);
}

/// <summary>`dataset --shard i/N` and `dataset merge`: shards are data sets of their own whose union is the unsharded run.</summary>
public sealed class DatasetShardCliTests(ShardedDiffusionRun run) : IClassFixture<ShardedDiffusionRun>
{
    private string PathIn(string name) => Path.Combine(run.Dir, name);

    [Fact]
    public void EachShard_IsReadable_AndHoldsItsBlockOfMembers_AsTheUnshardedRunGeneratesThem()
    {
        var whole = SequenceDataset.Read(run.Whole);
        int[][] blocks = [[0, 1], [2, 3], [4, 5, 6]];
        for (int s = 0; s < ShardedDiffusionRun.Shards; s++)
        {
            var shard = SequenceDataset.Read(run.ShardPaths[s]);
            Assert.Equal(new DatasetShard(s + 1, ShardedDiffusionRun.Shards), shard.Provenance.Shard);
            Assert.Equal(ShardedDiffusionRun.Count, shard.Provenance.GlobalCount);
            Assert.Equal(blocks[s], shard.Provenance.GlobalIndices);
            Assert.Equal(1, shard.Provenance.SolveChains);
            Assert.Equal(Enumerable.Range(0, shard.Count), shard.SolveOrder.Order());
            Assert.Equal(whole.Provenance.Parameters, shard.Provenance.Parameters);
            Assert.Equal("7", shard.Provenance.Parameters["count"]);
            for (int row = 0; row < shard.Count; row++)
            {
                int global = shard.Provenance.GlobalIndices[row];
                Assert.Equal(DatasetSystems.Row(whole.Coefficients!, global), DatasetSystems.Row(shard.Coefficients!, row));
                Assert.Equal(DatasetSystems.Row(whole.RightHandSides, global), DatasetSystems.Row(shard.RightHandSides, row));
                Assert.True(shard.RelativeResiduals[row] <= ShardedDiffusionRun.Tolerance, $"shard {s + 1} row {row}: residual {shard.RelativeResiduals[row]:G3}");
            }
        }
    }

    [Fact]
    public void Merge_EqualsTheUnshardedRun_MemberByMember()
    {
        string merged = PathIn("merged.h5");
        var (code, output, err) = CliRunner.Run(["dataset", "merge", "--out", merged, .. run.ShardPaths.Reverse()]);
        Assert.True(code == ExitCodes.Success, err + output);

        var (whole, wholeSystems) = DatasetSystems.Read(run.Whole, "--matrices");
        var (union, unionSystems) = DatasetSystems.Read(merged, "--matrices");
        Assert.Equal((whole.Problem, whole.Method, whole.Order, whole.GridSize, whole.Dimension, whole.RelativeTolerance, whole.Count, whole.Unknowns),
            (union.Problem, union.Method, union.Order, union.GridSize, union.Dimension, union.RelativeTolerance, union.Count, union.Unknowns));
        Assert.Equal(DatasetShard.Whole, union.Provenance.Shard);
        Assert.Equal(Enumerable.Range(0, ShardedDiffusionRun.Count), union.Provenance.GlobalIndices);
        Assert.Equal(ShardedDiffusionRun.Shards, union.Provenance.SolveChains);
        Assert.Equal(whole.Provenance.Parameters, union.Provenance.Parameters);
        // Each shard's own SKR order over its block, shards one after another.
        var chains = run.ShardPaths.Select(SequenceDataset.Read).SelectMany(s => s.SolveOrder.Select(r => s.Provenance.GlobalIndices[r]));
        Assert.Equal(chains, union.SolveOrder);

        for (int i = 0; i < whole.Count; i++)
        {
            var (a, b) = (wholeSystems[i].Matrix, unionSystems[i].Matrix);
            Assert.Equal(a.RowPointers, b.RowPointers);
            Assert.Equal(a.ColumnIndices, b.ColumnIndices);
            Assert.Equal(a.Values.AsSpan(0, a.NonZeros).ToArray(), b.Values.AsSpan(0, b.NonZeros).ToArray());
            Assert.Equal(wholeSystems[i].RightHandSide, unionSystems[i].RightHandSide);
            Assert.Equal(DatasetSystems.Row(whole.Coefficients!, i), DatasetSystems.Row(union.Coefficients!, i));
            // Both solutions meet the tolerance from different starting subspaces: they agree to it, amplified by the
            // condition number (measured: at most 8.3e-8 relative on this family at rtol 1e-8; member 0, solved first from zero in both runs, agrees exactly).
            var (x, y) = (DatasetSystems.Row(whole.Solutions, i), DatasetSystems.Row(union.Solutions, i));
            double difference = Math.Sqrt(x.Zip(y).Sum(p => (p.First - p.Second) * (p.First - p.Second))) / Math.Sqrt(x.Sum(v => v * v));
            TestContext.Current.TestOutputHelper?.WriteLine($"member {i}: relative solution difference {difference:G3}, iterations {whole.Iterations[i]} whole, {union.Iterations[i]} sharded");
            Assert.True(difference <= 20 * ShardedDiffusionRun.Tolerance, $"member {i}: solutions differ by {difference:G3} relative");
            Assert.True(union.RelativeResiduals[i] <= ShardedDiffusionRun.Tolerance);
        }
    }

    [Fact]
    public void Merge_RefusesAMissingShard_NamingTheMissingMembers()
    {
        string output = PathIn("missing.h5");
        var (code, _, err) = CliRunner.Run("dataset", "merge", "--out", output, run.ShardPaths[0], run.ShardPaths[2]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("global members 2-3 of 7 are missing", err);
        Assert.Contains("shard 2/3", err);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Merge_RefusesADuplicatedShard()
    {
        string output = PathIn("duplicate.h5");
        string copy = PathIn("shard-2-copy.h5");
        File.Copy(run.ShardPaths[1], copy, overwrite: true);
        var (code, _, err) = CliRunner.Run("dataset", "merge", "--out", output, run.ShardPaths[0], run.ShardPaths[1], copy, run.ShardPaths[2]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"{run.ShardPaths[1]} and {copy} are both shard 2/3", err);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void Merge_RefusesShardsOfDifferentProblems()
    {
        string poisson = PathIn("poisson-3.h5");
        var (code, output, err) = CliRunner.Run("dataset", "--problem", "poisson", "--count", "7", "--n", "16", "--restart", "20", "--recycle", "5",
            "--shard", "3/3", "--out", poisson);
        Assert.True(code == ExitCodes.Success, err + output);
        string merged = PathIn("mixed.h5");
        (code, _, err) = CliRunner.Run("dataset", "merge", "--out", merged, run.ShardPaths[0], run.ShardPaths[1], poisson);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("problem 'poisson'", err);
        Assert.Contains("'diffusion'", err);
        Assert.False(File.Exists(merged));
    }

    [Fact]
    public void Merge_RefusesShardsOfDifferentSplits_AndOfDifferentSeeds()
    {
        string half = run.Run("half-1.h5", "--shard", "1/2");
        string merged = PathIn("splits.h5");
        var (code, _, err) = CliRunner.Run("dataset", "merge", "--out", merged, half, run.ShardPaths[1], run.ShardPaths[2]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("different splits (N = 3 and 2)", err);

        string reseeded = run.Run("seed-2.h5", "--shard", "2/3", "--seed", "5");
        (code, _, err) = CliRunner.Run("dataset", "merge", "--out", merged, run.ShardPaths[0], reseeded, run.ShardPaths[2]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("differ in seed (5 and 0)", err);
        Assert.False(File.Exists(merged));
    }

    [Theory]
    [InlineData("0/3")]
    [InlineData("4/3")]
    [InlineData("x")]
    [InlineData("1/0")]
    [InlineData("-1/3")]
    [InlineData("1/3/3")]
    public void ShardOutsideOneToN_IsRefused_WithTheOptionAndTheAllowedValues(string shard)
    {
        string path = PathIn($"refused-{Guid.NewGuid():N}.h5");
        var (code, _, err) = CliRunner.Run([.. ShardedDiffusionRun.Family, "--shard", shard, "--out", path]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains($"--shard must be i/N with 1 <= i <= N, 1-based", err);
        Assert.Contains($"(got '{shard}')", err);
        Assert.False(File.Exists(path));
    }

    [Fact]
    public void MoreShardsThanMembers_AreRefused()
    {
        var (code, _, err) = CliRunner.Run([.. ShardedDiffusionRun.Family, "--shard", "1/8", "--out", PathIn("eight.h5")]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--shard 1/8 splits --count 7 into 8 shards; at most 7", err);
    }

    [Fact]
    public void Merge_DoesNotDependOnTheOrderTheShardsAreGiven()
    {
        string forward = PathIn("forward.h5"), shuffled = PathIn("shuffled.h5");
        Assert.Equal(ExitCodes.Success, CliRunner.Run(["dataset", "merge", "--out", forward, .. run.ShardPaths]).Code);
        Assert.Equal(ExitCodes.Success, CliRunner.Run("dataset", "merge", "--out", shuffled, run.ShardPaths[1], run.ShardPaths[2], run.ShardPaths[0]).Code);
        Assert.Equal(File.ReadAllBytes(forward), File.ReadAllBytes(shuffled));
    }

    [Theory]
    [InlineData("diffusion")]
    [InlineData("darcy")]
    [InlineData("poisson")]
    [InlineData("convdiff")]
    public void AFamilysBlock_IsThatBlockOfTheWholeFamily_ForEveryProblem(string problem)
    {
        var whole = DatasetCommand.Family(problem, 8, 6, null, 0.3, 3).ToList();
        var block = DatasetCommand.Family(problem, 8, 6, null, 0.3, 3, 2..5).ToList();
        Assert.Equal(3, block.Count);
        for (int i = 0; i < block.Count; i++)
        {
            Assert.Equal(whole[2 + i].Matrix.Values, block[i].Matrix.Values);
            Assert.Equal(whole[2 + i].RightHandSide, block[i].RightHandSide);
            Assert.Equal(whole[2 + i].Coefficients, block[i].Coefficients);
        }
    }
}
