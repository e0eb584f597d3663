using LearnedSolvers.Tests.TestSupport;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Dcdm;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>A saved learned-factor model loads to the same predictions bit for bit; files of another kind, of DCDM, or missing a tensor are refused by name.</summary>
public sealed class LearnedFactorModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-factor-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string PathIn(string name) => Path.Combine(_dir, name);

    private static double[] Predict(LearnedFactorModel model, CsrMatrix a) =>
        model.Kind == LearnedFactorKind.LearnedFsai ? model.PredictInverseFactor(a).Values[..] : (double[])model.PredictFactor(a).Lower.Clone();

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void SaveAndLoad_ReproduceThePredictions_BitForBit(LearnedFactorKind kind)
    {
        string path = PathIn("m.safetensors");
        var a = LearnedFactorTestData.Diffusion(9, 21).Matrix;
        double[] before;
        float[]? alpha;
        using (var model = new LearnedFactorModel(Device.Cpu, kind, hidden: 6, steps: 2, seed: 4))
        {
            model.Alpha?.Value.CopyFrom([0.37f]);
            before = Predict(model, a);
            alpha = model.Alpha?.Value.ToArray();
            LearnedFactorModelFile.Save(model, path, new Dictionary<string, string> { ["problem"] = "test" });
        }
        var (loaded, metadata) = LearnedFactorModelFile.Load(path, Device.Cpu, kind);
        using (loaded)
        {
            Assert.Equal(kind, loaded.Kind);
            Assert.Equal(6, loaded.Network.Hidden);
            Assert.Equal(2, loaded.Network.Steps);
            Assert.Equal(alpha, loaded.Alpha?.Value.ToArray());
            Assert.Equal(before, Predict(loaded, a));
            Assert.Equal("test", metadata["problem"]);
            Assert.Contains($"\"model\":\"{LearnedFactorModelFile.KindName(kind)}\"", metadata[LearnedFactorModelFile.ArchitectureKey]);
        }
        // Without an expected kind, the file says which it is.
        var (any, _) = LearnedFactorModelFile.Load(path, Device.Cpu);
        using (any) Assert.Equal(kind, any.Kind);
    }

    [Fact]
    public void AFileOfAnotherKind_IsRefused_NamingBoth()
    {
        string path = PathIn("neural.safetensors");
        using (var model = new LearnedFactorModel(Device.Cpu, LearnedFactorKind.NeuralPcg, hidden: 4, steps: 1))
            LearnedFactorModelFile.Save(model, path);
        var e = Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu, LearnedFactorKind.PreCorrector));
        Assert.Contains("'neuralpcg'", e.Message);
        Assert.Contains("'precorrector'", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ADcdmModelFile_IsRefused()
    {
        string path = PathIn("dcdm.safetensors");
        using (var net = new DcdmNetwork(Device.Cpu, 2, channels: 2))
            DcdmModelFile.Save(net, path);
        var e = Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu));
        // A DCDM file's architecture entry names its model: refused by that name.
        Assert.Contains("'dcdm'", e.Message);
        Assert.Contains("neuralpcg, precorrector, learned-fsai", e.Message);

        // A safetensors file without an architecture entry at all.
        SafetensorsFile.Write(path, [("w", new[] { 2 }, new float[] { 1, 2 })]);
        Assert.Contains("not a learned-factor model file", Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu)).Message);
    }

    [Theory]
    [InlineData(LearnedFactorKind.NeuralPcg, "decoder.2.bias")]
    [InlineData(LearnedFactorKind.PreCorrector, "alpha")]
    [InlineData(LearnedFactorKind.LearnedFsai, "encoder.edge.0.weight")]
    public void AMissingTensor_IsRefusedByName(LearnedFactorKind kind, string tensor)
    {
        string path = PathIn("m.safetensors");
        using (var model = new LearnedFactorModel(Device.Cpu, kind, hidden: 4, steps: 1))
            LearnedFactorModelFile.Save(model, path);
        var file = SafetensorsFile.Read(path);
        Assert.Contains(tensor, file.Tensors.Select(t => t.Name));
        SafetensorsFile.Write(path, file.Tensors.Where(t => t.Name != tensor), file.Metadata);
        var e = Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu, kind));
        Assert.Contains($"'{tensor}'", e.Message);
    }

    [Fact]
    public void AnArchitectureOfOtherFeatureCounts_OrUnreadableJson_IsRefused()
    {
        string path = PathIn("m.safetensors");
        using (var model = new LearnedFactorModel(Device.Cpu, LearnedFactorKind.PreCorrector, hidden: 4, steps: 1))
            LearnedFactorModelFile.Save(model, path);
        var file = SafetensorsFile.Read(path);
        var metadata = new Dictionary<string, string>(file.Metadata);
        metadata[LearnedFactorModelFile.ArchitectureKey] = metadata[LearnedFactorModelFile.ArchitectureKey].Replace("\"edge_features\":4", "\"edge_features\":5", StringComparison.Ordinal);
        SafetensorsFile.Write(path, file.Tensors, metadata);
        Assert.Contains("5 edge features", Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu)).Message);

        metadata[LearnedFactorModelFile.ArchitectureKey] = "{\"model\":\"precorrector\"";
        SafetensorsFile.Write(path, file.Tensors, metadata);
        Assert.Contains("not valid", Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu)).Message);

        metadata[LearnedFactorModelFile.ArchitectureKey] = "{\"model\":\"ilut\",\"hidden\":4,\"steps\":1,\"node_features\":3,\"edge_features\":4}";
        SafetensorsFile.Write(path, file.Tensors, metadata);
        Assert.Contains("'ilut'", Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu)).Message);
    }

    [Fact]
    public void AnIntegerParameterTensor_IsRefusedByName()
    {
        // Found by fuzzing: a weight stored as I32 once ended in InvalidOperationException from the dtype conversion.
        var path = RepositoryFiles.PathOf("tests", "data", "fuzz", "model", "integer-parameter-tensor.safetensors");
        var e = Assert.Throws<SafetensorsFormatException>(() => LearnedFactorModelFile.Load(path, Device.Cpu));
        Assert.Contains("holds I32; parameters are floating point", e.Message);
    }

    [Fact]
    public void KindNames_RoundTrip()
    {
        Assert.Equal(["neuralpcg", "precorrector", "learned-fsai"], LearnedFactorTestData.Kinds.Select(LearnedFactorModelFile.KindName));
        foreach (var kind in LearnedFactorTestData.Kinds) Assert.Equal(kind, LearnedFactorModelFile.KindFromName(" " + LearnedFactorModelFile.KindName(kind).ToUpperInvariant()));
        Assert.Null(LearnedFactorModelFile.KindFromName("ic0"));
    }
}
