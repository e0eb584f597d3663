using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Learned.Factors;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>What every built-in preconditioner shares: the registry, argument checks, and an Apply that allocates nothing.</summary>
public class PreconditionerApplyTests
{
    /// <summary>Every entry with a product on one CPU matrix: not "none" (no product), not those that run across MPI ranks only.</summary>
    public static TheoryData<string> Names => new(PreconditionerRegistry.Names
        .Where(n => n != "none" && PreconditionerRegistry.Get(n, LearnedFactorTestData.RegistrySettings(n)).Supports(Device.Cpu)));

    private static IPreconditioner Create(string name, CsrMatrix a) => PreconditionerRegistry.Get(name, LearnedFactorTestData.RegistrySettings(name)).Create(Device.Cpu.Upload(a))!;

    [Theory, MemberData(nameof(Names))]
    public void Apply_AllocatesNothing_OnceWarm(string name)
    {
        var a = Poisson.TwoD(40).Matrix;
        var m = Create(name, a);
        var x = Device.Cpu.Upload(RandomSystems.Vector(a.Rows, 1));
        var y = Device.Cpu.Allocate(a.Rows);
        m.Apply(x, y);
        var (_, bytes) = Allocations.Least(() =>
        {
            for (int i = 0; i < 10; i++) m.Apply(x, y);
            return 0;
        });
        Assert.Equal(0, bytes);
    }

    [Theory, MemberData(nameof(Names))]
    public void Apply_RejectsVectorsOfTheWrongLength(string name)
    {
        var a = Poisson.TwoD(6).Matrix;
        var m = Create(name, a);
        Assert.ThrowsAny<ArgumentException>(() => m.Apply(Device.Cpu.Allocate(35), Device.Cpu.Allocate(36)));
        Assert.ThrowsAny<ArgumentException>(() => m.Apply(Device.Cpu.Allocate(36), Device.Cpu.Allocate(37)));
    }

    [Fact]
    public void Registry_FindsNamesInAnyCase_AndRejectsUnknownOnes()
    {
        Assert.Equal("ic0", PreconditionerRegistry.Get("IC0").Name);
        Assert.Equal("ilu0", PreconditionerRegistry.Get("ilu0").Name);
        Assert.Null(PreconditionerRegistry.Get("none").Create(Device.Cpu.Upload(RandomSystems.Spd(3, 1))));
        Assert.Equal("amg", PreconditionerRegistry.Get("amg").Name);
        Assert.Equal("ilut", PreconditionerRegistry.Get("ILUT").Name);
        var e = Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("iluk"));
        Assert.Contains("iluk", e.Message);
        Assert.Throws<ArgumentException>(() => PreconditionerRegistry.Get("2"));
    }
}
