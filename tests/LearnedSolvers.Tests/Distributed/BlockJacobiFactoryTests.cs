using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// The "block-jacobi" registry entry without MPI: its local preconditioner and the properties it passes on, the
/// settings it refuses, and a clear refusal of one process's matrix.
/// </summary>
public sealed class BlockJacobiFactoryTests
{
    [Fact]
    public void Registry_BuildsIlu0BlocksByDefault_AndTheNamedLocalOtherwise()
    {
        var byDefault = Assert.IsType<BlockJacobiFactory>(PreconditionerRegistry.Get("block-jacobi"));
        Assert.Equal("ilu0", byDefault.Local.Name);
        Assert.False(byDefault.IsSymmetric);

        var ic0 = Assert.IsType<BlockJacobiFactory>(PreconditionerRegistry.Get("block-jacobi", new Dictionary<string, string> { ["local"] = "ic0", ["shift"] = "0.1" }));
        Assert.Equal("ic0", ic0.Local.Name);
        Assert.True(ic0.IsSymmetric);
        Assert.Equal(0.1, Assert.IsType<IncompleteCholesky0Factory>(ic0.Local).Options.DiagonalShift);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("block-jacobi")]
    [InlineData("iluk")]
    public void Registry_RefusesLocalsThatAreNoPreconditionerForABlock(string local)
    {
        var e = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("block-jacobi", new Dictionary<string, string> { ["local"] = local }));
        Assert.Equal("local", e.ParamName);
        Assert.Contains($"'{local}'", e.Message);
    }

    [Fact]
    public void OneProcessMatrix_IsRefused_NamingTheDistributedDevicesAndTheLocalPreconditioner()
    {
        var factory = PreconditionerRegistry.Get("block-jacobi", new Dictionary<string, string> { ["local"] = "ic0" });
        Assert.False(factory.Supports(Device.Cpu));
        Assert.Same(DistributedDevice.Only, factory.Devices);
        using var a = Device.Cpu.Upload(Poisson.TwoD(4).Matrix);
        var e = Assert.Throws<UnsupportedDeviceException>(() => factory.Create(a));
        Assert.Equal("a", e.ParamName);
        Assert.Contains("distributed devices only", e.Message);
        Assert.Contains("use 'ic0' itself", e.Message);
    }

    [Fact]
    public void FactoriesThatWorkFromEachRanksRows_DeclareIt_AndTheOthersDoNot()
    {
        foreach (var name in new[] { "none", "jacobi", "chebyshev", "block-jacobi" })
            Assert.True(PreconditionerRegistry.Get(name).WorksAcrossRanks(), name);
        foreach (var name in new[] { "ic0", "ilu0", "amg", "ssor" })
            Assert.False(PreconditionerRegistry.Get(name).WorksAcrossRanks(), name);
    }
}
