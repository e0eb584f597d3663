using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Problems;

public class ConvectionDiffusionTests
{
    public static TheoryData<WindKind, double> WindsAndPeclets => new()
    {
        { WindKind.Constant, 1 }, { WindKind.Constant, 100 }, { WindKind.Constant, 1e4 },
        { WindKind.Rotating, 1 }, { WindKind.Rotating, 100 }, { WindKind.Rotating, 1e4 },
    };

    [Theory, MemberData(nameof(WindsAndPeclets))]
    public void Upwinding_GivesAnMMatrixSignPattern_AndDiagonalDominance(WindKind wind, double peclet)
    {
        var a = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 24, Peclet = peclet, Wind = wind }).Matrix;
        Assert.Equal(5 * 24 * 24 - 4 * 24, a.NonZeros);
        Assert.False(a.IsSymmetric(1e-12));
        MatrixProperties.AssertNonpositiveOffDiagonal(a);
        MatrixProperties.AssertDiagonallyDominant(a, 5);
        Assert.True(MatrixProperties.MaxInteriorRowSum(a, 5) < 1e-14);
    }

    [Fact]
    public void ZeroWind_IsSymmetric_AndEqualsPoisson()
    {
        var options = new ConvectionDiffusionOptions { GridSize = 15, Peclet = 0, Wind = WindKind.Rotating };
        var system = ConvectionDiffusion.Generate(options);
        var poisson = Poisson.TwoD(15);
        Assert.True(system.Matrix.IsSymmetric());
        MatrixProperties.AssertSamePattern(poisson.Matrix, system.Matrix);
        Assert.Equal(poisson.Matrix.Values, system.Matrix.Values);
        Assert.Equal(poisson.RightHandSide, system.RightHandSide);
    }

    [Fact]
    public void ConvectionGoesToTheUpwindNeighbour()
    {
        const int n = 9;
        double h = 1.0 / (n + 1), pe = 50;
        int row = 4 + n * 4;
        var eastward = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = n, Peclet = pe, WindAngle = 0 }).Matrix;
        Assert.Equal(-1 - h * pe, eastward[row, row - 1], 1e-14);
        Assert.Equal(-1.0, eastward[row, row + 1]);
        Assert.Equal(-1.0, eastward[row, row - n], 1e-14);
        Assert.Equal(4 + h * pe, eastward[row, row], 1e-14);
        var southward = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = n, Peclet = pe, WindAngle = -Math.PI / 2 }).Matrix;
        Assert.Equal(-1 - h * pe, southward[row, row + n], 1e-14);
        Assert.Equal(-1.0, southward[row, row - n], 1e-14);
    }

    [Fact]
    public void MMatrix_HasAPositiveSolution_ForAPositiveSource()
    {
        var system = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 12, Peclet = 500, Wind = WindKind.Rotating });
        var u = Reference.DenseSolve(system.Matrix, system.RightHandSide);
        Assert.All(u, v => Assert.True(v > 0));
        Assert.True(Reference.TrueRelativeResidual(system.Matrix, u, system.RightHandSide) < 1e-12);
    }

    [Fact]
    public void RotatingWind_IsNormalizedAndTurnsAboutTheCentre()
    {
        const int n = 21;
        var system = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = n, Wind = WindKind.Rotating });
        var w = system.Coefficients!;
        double max = 0;
        for (int p = 0; p < n * n; p++) max = Math.Max(max, Math.Sqrt(w[2 * p] * w[2 * p] + w[2 * p + 1] * w[2 * p + 1]));
        Assert.InRange(max, 0.9, 1.0);
        int centre = 10 + n * 10; // (1/2, 1/2)
        Assert.Equal(0.0, w[2 * centre], 1e-15);
        Assert.Equal(0.0, w[2 * centre + 1], 1e-15);
        int right = 20 + n * 10; // x > 1/2 on the centre line: flow goes up (counter-clockwise)
        Assert.True(w[2 * right + 1] > 0);
    }

    [Fact]
    public void WhiteNoiseRightHandSide_IsSeeded()
    {
        ConvectionDiffusionOptions Options(int seed) => new() { GridSize = 10, RightHandSide = RightHandSideKind.WhiteNoise, Seed = seed };
        Assert.Equal(ConvectionDiffusion.Generate(Options(1)).RightHandSide, ConvectionDiffusion.Generate(Options(1)).RightHandSide);
        Assert.NotEqual(ConvectionDiffusion.Generate(Options(1)).RightHandSide, ConvectionDiffusion.Generate(Options(2)).RightHandSide);
    }

    [Fact]
    public void Options_AreValidated_NamingTheBadOne()
    {
        void Expect(string name, ConvectionDiffusionOptions o) =>
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => ConvectionDiffusion.Generate(o)).ParamName);
        Expect("GridSize", new ConvectionDiffusionOptions { GridSize = 0 });
        Expect("GridSize", new ConvectionDiffusionOptions { GridSize = 47_000 });
        Expect("Peclet", new ConvectionDiffusionOptions { Peclet = -1 });
        Expect("Peclet", new ConvectionDiffusionOptions { Peclet = double.NaN });
        Expect("WindAngle", new ConvectionDiffusionOptions { WindAngle = double.PositiveInfinity });
        Expect("Wind", new ConvectionDiffusionOptions { Wind = (WindKind)7 });
    }
}
