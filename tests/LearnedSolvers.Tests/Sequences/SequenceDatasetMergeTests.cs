using LearnedSolvers.Sequences;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sequences;

/// <summary><see cref="SequenceDatasetMerge"/> on small files written directly (no solves): what it checks and what it writes.</summary>
public sealed class SequenceDatasetMergeTests : IDisposable
{
    private const int Total = 5, Unknowns = 6;
    private static readonly Dictionary<string, string> Settings = new() { ["seed"] = "0", ["n"] = "4" };
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-merge-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathIn(string name) => Path.Combine(_dir, name);

    /// <summary>Shard <paramref name="index"/>/<paramref name="shards"/> of a 5-member family whose member g has b = Vector(g), x = Vector(100 + g), solved in reverse.</summary>
    private string Shard(int index, int shards, int? keep = null, Dictionary<string, string>? settings = null, string problem = "diffusion")
    {
        var provenance = DatasetProvenance.OfShard(new DatasetShard(index, shards), Total, settings ?? Settings);
        int[] rows = [.. Enumerable.Range(0, keep ?? provenance.GlobalIndices.Length)];
        provenance = provenance.Subset(rows);
        string path = PathIn($"{problem}-{index}-of-{shards}-{Guid.NewGuid():N}.h5");
        using var writer = new SequenceDatasetWriter(path, rows.Length, Unknowns, 0, problem, "gcrodr", "skr", 4, 2, 1e-8, provenance);
        foreach (int row in rows.Reverse())
        {
            int g = provenance.GlobalIndices[row];
            writer.Write(row, RandomSystems.Vector(Unknowns, g), RandomSystems.Vector(Unknowns, 100 + g), null, 10 + g, 1e-9);
        }
        return path;
    }

    [Fact]
    public void Merge_WritesEveryMemberInGlobalOrder_AndTheShardsSolveOrdersOneAfterAnother()
    {
        string output = PathIn("all.h5");
        var provenance = SequenceDatasetMerge.Merge([Shard(2, 2), Shard(1, 2)], output);
        var data = SequenceDataset.Read(output);
        Assert.Equal((provenance.Shard, provenance.GlobalCount, provenance.SolveChains), (data.Provenance.Shard, data.Provenance.GlobalCount, data.Provenance.SolveChains));
        Assert.Equal(Enumerable.Range(0, Total), data.Provenance.GlobalIndices);
        Assert.Equal(2, data.Provenance.SolveChains);
        Assert.Equal(DatasetShard.Whole, data.Provenance.Shard);
        Assert.Equal(Settings, data.Provenance.Parameters);
        // Shard 1 holds members 0-1, shard 2 members 2-4; each was solved last row first.
        Assert.Equal([1, 0, 4, 3, 2], data.SolveOrder);
        for (int g = 0; g < Total; g++)
        {
            Assert.Equal(RandomSystems.Vector(Unknowns, g), Row(data.RightHandSides, g));
            Assert.Equal(RandomSystems.Vector(Unknowns, 100 + g), Row(data.Solutions, g));
            Assert.Equal(10 + g, data.Iterations[g]);
        }
    }

    [Fact]
    public void Merge_RefusesAShardCutShort_NamingTheMembersItLacks()
    {
        string output = PathIn("short.h5");
        var e = Assert.Throws<DatasetMergeException>(() => SequenceDatasetMerge.Merge([Shard(1, 2), Shard(2, 2, keep: 1)], output));
        Assert.Equal([3, 4], e.MissingMembers);
        Assert.Contains("global members 3-4 of 5 are missing (a shard was cut short by an interruption)", e.Message);
        Assert.False(File.Exists(output));
    }

    [Fact]
    public void RefusedMerge_LeavesAnExistingOutputAsItWas()
    {
        string output = PathIn("kept.h5");
        SequenceDatasetMerge.Merge([Shard(1, 1)], output);
        var before = File.ReadAllBytes(output);
        Assert.Throws<DatasetMergeException>(() => SequenceDatasetMerge.Merge([Shard(1, 2)], output));
        Assert.Equal(before, File.ReadAllBytes(output));
        Assert.DoesNotContain(Directory.GetFiles(_dir), f => Path.GetFileName(f).StartsWith('.'));
    }

    [Fact]
    public void Merge_RefusesDifferentSettings_NamingEach()
    {
        var e = Assert.Throws<DatasetMergeException>(() => SequenceDatasetMerge.Merge(
            [Shard(1, 2), Shard(2, 2, settings: new() { ["seed"] = "3", ["n"] = "4", ["rtol"] = "1E-06" })], PathIn("x.h5")));
        Assert.Contains("differ in rtol (1E-06 and unset), seed (3 and 0)", e.Message);
    }

    [Fact]
    public void FileWithoutShardAttributes_ReadsAsAWholeDataSet()
    {
        string path = PathIn("plain.h5");
        using (var writer = new SequenceDatasetWriter(path, 2, Unknowns, 0, "matrices", "gmres", "natural", 0, 0, 1e-8))
        {
            writer.Write(1, RandomSystems.Vector(Unknowns, 1), RandomSystems.Vector(Unknowns, 2), null, 3, 1e-9);
            writer.Write(0, RandomSystems.Vector(Unknowns, 3), RandomSystems.Vector(Unknowns, 4), null, 3, 1e-9);
        }
        var provenance = SequenceDataset.Read(path).Provenance;
        Assert.Equal((DatasetShard.Whole, 2, 1), (provenance.Shard, provenance.GlobalCount, provenance.SolveChains));
        Assert.Equal([0, 1], provenance.GlobalIndices);
        Assert.Empty(provenance.Parameters);
    }

    private static double[] Row(double[,] values, int i) => [.. Enumerable.Range(0, values.GetLength(1)).Select(j => values[i, j])];
}
