using LearnedSolvers.Problems;

namespace LearnedSolvers.Tests.Problems;

public class ParametricFamilyTests
{
    private static readonly DiffusionOptions Base = new() { GridSize = 32, TargetContrast = 1e4, Seed = 21 };

    [Fact]
    public void DiffusionFamily_SharesThePattern_ValuesDiffer_FieldsDifferSlightly()
    {
        var members = ParametricFamily.Diffusion(Base, count: 4, perturbation: 0.05, seed: 1).ToList();
        var baseLogK = Diffusion.Generate(Base).Coefficients!.Select(v => Math.Log(v)).ToArray();
        Assert.Equal(4, members.Count);
        for (int i = 0; i < members.Count; i++)
        {
            var m = members[i];
            Assert.Same(members[0].Matrix.RowPointers, m.Matrix.RowPointers);
            Assert.Same(members[0].Matrix.ColumnIndices, m.Matrix.ColumnIndices);
            Assert.Equal(1e4, Diffusion.Contrast(m.Coefficients!), 1e-5);
            Assert.True(m.Matrix.IsSymmetric());
            if (i > 0) Assert.NotEqual(members[0].Matrix.Values, m.Matrix.Values);
            double distance = RelativeDistance(m.Coefficients!.Select(v => Math.Log(v)).ToArray(), baseLogK);
            Assert.InRange(distance, 0.01, 0.25);
        }
        Assert.Equal(members[0].RightHandSide, members[3].RightHandSide);
        Assert.NotSame(members[0].RightHandSide, members[3].RightHandSide);
    }

    [Fact]
    public void DiffusionFamily_IsLazy_AndRepeatsBitForBit()
    {
        var family = ParametricFamily.Diffusion(Base with { GridSize = 16 }, count: 3, perturbation: 0.1, seed: 4);
        var first = family.ToList();
        var second = family.ToList();
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(first[i].Matrix.Values, second[i].Matrix.Values);
            Assert.Equal(first[i].Coefficients, second[i].Coefficients);
            Assert.Same(first[i].Matrix.RowPointers, second[i].Matrix.RowPointers);
        }
        var other = ParametricFamily.Diffusion(Base with { GridSize = 16 }, count: 3, perturbation: 0.1, seed: 5).ToList();
        Assert.NotEqual(first[1].Coefficients, other[1].Coefficients);
    }

    [Fact]
    public void Sweep_StartsAtTheBaseSystem_AndMovesAwaySteadily()
    {
        var members = ParametricFamily.Diffusion(Base, count: 4, perturbation: 0.05, seed: 2, FamilyPath.Sweep).ToList();
        var baseSystem = Diffusion.Generate(Base);
        Assert.Equal(baseSystem.Matrix.Values, members[0].Matrix.Values);
        Assert.Equal(baseSystem.Coefficients, members[0].Coefficients);
        var logK0 = members[0].Coefficients!.Select(v => Math.Log(v)).ToArray();
        double previous = 0;
        for (int i = 1; i < members.Count; i++)
        {
            double d = RelativeDistance(members[i].Coefficients!.Select(v => Math.Log(v)).ToArray(), logK0);
            Assert.True(d > previous, $"member {i}: distance {d} after {previous}");
            previous = d;
        }
    }

    [Fact]
    public void DiscontinuousFamily_KeepsTwoValues()
    {
        var options = new DiffusionOptions { GridSize = 16, Discontinuous = true, TargetContrast = 1e6, Seed = 3 };
        foreach (var m in ParametricFamily.Diffusion(options, count: 3, perturbation: 0.2, seed: 9))
            Assert.Equal([1.0, 1e6], m.Coefficients!.Distinct().Order().ToArray());
    }

    [Fact]
    public void DiffusionFamily_ChecksArgumentsWhenCalled_NotWhenEnumerated()
    {
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.Diffusion(Base, -1, 0.1, 1)).ParamName);
        Assert.Equal("perturbation", Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.Diffusion(Base, 2, double.NaN, 1)).ParamName);
        Assert.Equal("perturbation", Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.Diffusion(Base, 2, 1.5, 1)).ParamName);
        Assert.Equal("GridSize", Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.Diffusion(Base with { GridSize = -2 }, 2, 0.1, 1)).ParamName);
        Assert.Empty(ParametricFamily.Diffusion(Base with { GridSize = 8 }, 0, 0.1, 1));
    }

    [Fact]
    public void ConvectionDiffusionFamily_SweepsPeclet_OnOnePattern()
    {
        var options = new ConvectionDiffusionOptions { GridSize = 16, Wind = WindKind.Rotating };
        var members = ParametricFamily.ConvectionDiffusion(options, [0, 10, 100, 1000]).ToList();
        Assert.Equal(4, members.Count);
        Assert.All(members, m => Assert.Same(members[0].Matrix.RowPointers, m.Matrix.RowPointers));
        Assert.All(members, m => Assert.Same(members[0].Matrix.ColumnIndices, m.Matrix.ColumnIndices));
        Assert.True(members[0].Matrix.IsSymmetric());
        Assert.False(members[3].Matrix.IsSymmetric(1e-12));
        Assert.Equal(ConvectionDiffusion.Generate(options with { Peclet = 100 }).Matrix.Values, members[2].Matrix.Values);
        Assert.Equal("pecletNumbers", Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.ConvectionDiffusion(options, [1, -1])).ParamName);
    }

    [Fact]
    public void RightHandSideFamily_KeepsTheMatrix_AndDrawsNewVectors()
    {
        var system = Poisson.TwoD(10);
        var members = ParametricFamily.RightHandSides(system, 3, seed: 6).ToList();
        Assert.All(members, m => Assert.Same(system.Matrix, m.Matrix));
        Assert.NotEqual(members[0].RightHandSide, members[1].RightHandSide);
        Assert.Equal(members[2].RightHandSide, ParametricFamily.RightHandSides(system, 3, seed: 6).Last().RightHandSide);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.RightHandSides(system, -1, 0)).ParamName);
    }

    private static double RelativeDistance(double[] x, double[] y)
    {
        double num = 0, den = 0;
        for (int i = 0; i < x.Length; i++)
        {
            num += (x[i] - y[i]) * (x[i] - y[i]);
            den += y[i] * y[i];
        }
        return Math.Sqrt(num / den);
    }

    [Theory]
    [InlineData(FamilyPath.RandomPerturbation)]
    [InlineData(FamilyPath.Sweep)]
    public void DiffusionMembersInARange_AreThoseMembersOfTheWholeFamily_BitForBit(FamilyPath path)
    {
        var options = Base with { GridSize = 12 };
        var whole = ParametricFamily.Diffusion(options, count: 7, perturbation: 0.3, seed: 5, path).ToList();
        var block = ParametricFamily.Diffusion(options, count: 7, perturbation: 0.3, seed: 5, path, 3..6).ToList();
        Assert.Equal(3, block.Count);
        for (int i = 0; i < block.Count; i++)
        {
            Assert.Equal(whole[3 + i].Matrix.Values, block[i].Matrix.Values);
            Assert.Equal(whole[3 + i].Coefficients, block[i].Coefficients);
            Assert.Equal(whole[3 + i].RightHandSide, block[i].RightHandSide);
            Assert.Equal(whole[3 + i].Description, block[i].Description);
        }
    }

    [Fact]
    public void RightHandSideMembersInARange_AreThoseMembersOfTheWholeFamily_BitForBit()
    {
        var system = Poisson.TwoD(5); // 25 unknowns: an odd count, whose last normal pair is half used
        var whole = ParametricFamily.RightHandSides(system, count: 5, seed: 2).ToList();
        var block = ParametricFamily.RightHandSides(system, count: 5, seed: 2, 2..).ToList();
        Assert.Equal(whole.Skip(2).Select(s => s.RightHandSide), block.Select(s => s.RightHandSide));
        Assert.All(block, s => Assert.Same(system.Matrix, s.Matrix));
    }

    [Fact]
    public void MemberRangeOutsideTheFamily_IsRefusedWhenCalled()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.Diffusion(Base, 4, 0.3, 1, FamilyPath.RandomPerturbation, 2..5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ParametricFamily.RightHandSides(Poisson.TwoD(4), 4, 1, 5..));
    }
}
