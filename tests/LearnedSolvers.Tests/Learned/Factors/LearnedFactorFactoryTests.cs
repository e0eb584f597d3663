using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Preconditioners.Factories;

namespace LearnedSolvers.Tests.Learned.Factors;

/// <summary>The registry's learned-factor entries: listed, needing a model file, and refusing a missing file or one of another kind by a typed error.</summary>
public sealed class LearnedFactorFactoryTests
{
    [Fact]
    public void TheRegistry_ListsTheLearnedFactors()
    {
        foreach (var kind in LearnedFactorTestData.Kinds)
        {
            Assert.Contains(LearnedFactorModelFile.KindName(kind), PreconditionerRegistry.Names);
            Assert.True(PreconditionerRegistry.Contains(LearnedFactorModelFile.KindName(kind).ToUpperInvariant()));
        }
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Get_WithoutAModel_IsAnArgumentError_NamingModel(LearnedFactorKind kind)
    {
        string name = LearnedFactorModelFile.KindName(kind);
        var e = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get(name));
        Assert.Equal("model", e.ParamName);
        Assert.Contains("'model'", e.Message);
        e = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get(name, new Dictionary<string, string> { ["model"] = "  " }));
        Assert.Equal("model", e.ParamName);
    }

    [Theory, MemberData(nameof(LearnedFactorTestData.AllKinds), MemberType = typeof(LearnedFactorTestData))]
    public void Get_WithAModel_GivesASymmetricFactoryForEveryDevice(LearnedFactorKind kind)
    {
        string name = LearnedFactorModelFile.KindName(kind);
        var factory = Assert.IsType<LearnedFactorFactory>(PreconditionerRegistry.Get(name, new Dictionary<string, string> { ["model"] = LearnedFactorTestData.ModelFile(kind) }));
        using (factory)
        {
            Assert.Equal(kind, factory.Kind);
            Assert.Equal(name, factory.Name);
            Assert.True(factory.IsSymmetric);
            Assert.True(factory.IsLinear);
            Assert.Same(DeviceSupport.AllDevices, factory.Devices);
            Assert.True(factory.Supports(Device.IlgpuCpu()));
        }
    }

    [Fact]
    public void AMissingModelFile_IsAFileNotFoundError_WhenTheFactoryIsMade()
    {
        string missing = Path.Combine(LearnedFactorTestData.Folder, "no-such-model.safetensors");
        Assert.Throws<FileNotFoundException>(() => PreconditionerRegistry.Get("precorrector", new Dictionary<string, string> { ["model"] = missing }));
    }

    [Fact]
    public void AModelOfAnotherKind_IsRefused_WhenTheFactoryIsMade()
    {
        var e = Assert.Throws<SafetensorsFormatException>(() => new LearnedFactorFactory(LearnedFactorKind.LearnedFsai, LearnedFactorTestData.ModelFile(LearnedFactorKind.PreCorrector)));
        Assert.Contains("'precorrector'", e.Message);
        Assert.Contains("'learned-fsai'", e.Message);
    }

    [Fact]
    public void Create_RefusesANonsymmetricMatrix()
    {
        using var factory = new LearnedFactorFactory(LearnedFactorKind.NeuralPcg, LearnedFactorTestData.ModelFile(LearnedFactorKind.NeuralPcg));
        using var a = Device.Cpu.Upload(TestSupport.PreconditionerChecks.Tridiagonal(9, seed: 2, symmetric: false));
        Assert.Throws<ArgumentException>(() => factory.Create(a));
    }
}
