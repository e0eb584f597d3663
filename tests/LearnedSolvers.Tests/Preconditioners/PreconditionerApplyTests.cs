using LearnedSolvers.Devices;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

/// <summary>What every built-in preconditioner shares: the factory, argument checks, and an Apply that allocates nothing.</summary>
public class PreconditionerApplyTests
{
    public static TheoryData<PreconditionerKind> Kinds => new(Enum.GetValues<PreconditionerKind>().Where(k => k != PreconditionerKind.None));

    [Theory, MemberData(nameof(Kinds))]
    public void Apply_AllocatesNothing_OnceWarm(PreconditionerKind kind)
    {
        var a = Poisson.TwoD(40).Matrix;
        var m = PreconditionerFactory.Create(kind, a)!;
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

    [Theory, MemberData(nameof(Kinds))]
    public void Apply_RejectsVectorsOfTheWrongLength(PreconditionerKind kind)
    {
        var a = Poisson.TwoD(6).Matrix;
        var m = PreconditionerFactory.Create(kind, a)!;
        Assert.ThrowsAny<ArgumentException>(() => m.Apply(Device.Cpu.Allocate(35), Device.Cpu.Allocate(36)));
        Assert.ThrowsAny<ArgumentException>(() => m.Apply(Device.Cpu.Allocate(36), Device.Cpu.Allocate(37)));
    }

    [Fact]
    public void Factory_ParsesNames_AndRejectsUnknownOnes()
    {
        Assert.Equal(PreconditionerKind.Ic0, PreconditionerFactory.Parse("IC0"));
        Assert.Equal(PreconditionerKind.Ilu0, PreconditionerFactory.Parse("ilu0"));
        Assert.Null(PreconditionerFactory.Create(PreconditionerKind.None, RandomSystems.Spd(3, 1)));
        Assert.Equal(PreconditionerKind.Amg, PreconditionerFactory.Parse("amg"));
        var e = Assert.Throws<ArgumentException>(() => PreconditionerFactory.Parse("ilut"));
        Assert.Contains("ilut", e.Message);
        Assert.Throws<ArgumentException>(() => PreconditionerFactory.Parse("2"));
    }
}
