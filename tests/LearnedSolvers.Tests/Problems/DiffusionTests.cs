using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Problems;

public class DiffusionTests
{
    private static DiffusionOptions Small(int seed = 1) => new() { GridSize = 24, Seed = seed, TargetContrast = 1e3 };

    [Fact]
    public void SameOptions_GiveIdenticalBits_DifferentSeedDiffers()
    {
        var a = Diffusion.Generate(Small(5));
        var b = Diffusion.Generate(Small(5));
        var c = Diffusion.Generate(Small(6));
        Assert.Equal(a.Matrix.Values, b.Matrix.Values);
        Assert.Equal(a.RightHandSide, b.RightHandSide);
        Assert.Equal(a.Coefficients, b.Coefficients);
        Assert.Equal(a.Description, b.Description);
        Assert.NotEqual(a.Matrix.Values, c.Matrix.Values);
        Assert.NotEqual(a.RightHandSide, c.RightHandSide);
        Assert.NotEqual(a.Coefficients, c.Coefficients);
    }

    [Theory]
    [InlineData(2, 32), InlineData(3, 8)]
    public void Matrix_IsSymmetric_PositiveDiagonal_WeaklyDominant_StrictAtBoundary(int dimension, int n)
    {
        var system = Diffusion.Generate(new DiffusionOptions { GridSize = n, Dimension = dimension, TargetContrast = 1e4, Seed = 2 });
        var a = system.Matrix;
        Assert.Equal((int)Math.Pow(n, dimension), a.Rows);
        Assert.Equal(dimension == 2 ? 5 * n * n - 4 * n : 7 * n * n * n - 6 * n * n, a.NonZeros);
        Assert.True(a.IsSymmetric());
        MatrixProperties.AssertNonpositiveOffDiagonal(a);
        MatrixProperties.AssertDiagonallyDominant(a, 2 * dimension + 1);
        Assert.True(MatrixProperties.MaxInteriorRowSum(a, 2 * dimension + 1) < 1e-12);
        Assert.Equal((int)Math.Pow(n + 1, dimension), system.Coefficients!.Length);
        Assert.Equal(n, system.GridSize);
        Assert.Equal(dimension, system.Dimension);
    }

    [Theory]
    [InlineData(2, 1.5), InlineData(2, 10.0), InlineData(2, 1e3), InlineData(2, 1e6), InlineData(3, 1e6)]
    public void Rescaling_HitsTheTargetContrastExactly(int dimension, double target)
    {
        var system = Diffusion.Generate(new DiffusionOptions { GridSize = dimension == 2 ? 32 : 8, Dimension = dimension, TargetContrast = target, Seed = 4 });
        Assert.Equal(target, Diffusion.Contrast(system.Coefficients!), target * 1e-9);
    }

    [Fact]
    public void RejectionSampling_LandsInTheConDiffBand()
    {
        var options = DiffusionOptions.ConDiff(32, 0.1, CovarianceKind.Exponential, seed: 3);
        Assert.Equal(new ContrastBand(5, 15), options.ContrastBand);
        var system = Diffusion.Generate(options);
        Assert.InRange(Diffusion.Contrast(system.Coefficients!), 5, 15);
        Assert.Contains("contrast band", system.Description);
    }

    [Fact]
    public void RejectionSampling_GivesUp_AfterMaxAttempts()
    {
        var options = new DiffusionOptions { GridSize = 16, Variance = 0.1, ContrastBand = new ContrastBand(1e5, 1e6), MaxAttempts = 5 };
        var e = Assert.Throws<InvalidOperationException>(() => Diffusion.Generate(options));
        Assert.Contains("5 draws", e.Message);
    }

    [Theory]
    [InlineData(2, 10.0), InlineData(2, 1e6), InlineData(3, 1e6)]
    public void Discontinuous_HasExactlyTwoValues_WithTheRequestedRatio(int dimension, double contrast)
    {
        var system = Diffusion.Generate(new DiffusionOptions { GridSize = dimension == 2 ? 32 : 8, Dimension = dimension, Discontinuous = true, TargetContrast = contrast, Seed = 8 });
        var k = system.Coefficients!;
        var distinct = k.Distinct().Order().ToArray();
        Assert.Equal([1.0, contrast], distinct);
        Assert.Equal(contrast, Diffusion.Contrast(k));
        double lowFraction = k.Count(v => v == 1.0) / (double)k.Length;
        Assert.InRange(lowFraction, 0.45, 0.55);
        Assert.True(system.Matrix.IsSymmetric());
        MatrixProperties.AssertDiagonallyDominant(system.Matrix, 2 * dimension + 1);
    }

    [Theory]
    [InlineData(2), InlineData(3)]
    public void UnitCoefficient_ReproducesScaledPoisson(int dimension)
    {
        int n = dimension == 2 ? 20 : 6;
        var poisson = dimension == 2 ? Poisson.TwoD(n) : Poisson.ThreeD(n);
        double scale = (n + 1.0) * (n + 1.0);
        var expected = poisson.Matrix.Values.Select(v => scale * v).ToArray();

        // Contrast 1 rescales φ to zero, so k = exp(0) = 1 exactly.
        var generated = Diffusion.Generate(new DiffusionOptions { GridSize = n, Dimension = dimension, TargetContrast = 1, Seed = 3 });
        Assert.All(generated.Coefficients!, k => Assert.Equal(1.0, k));
        MatrixProperties.AssertSamePattern(poisson.Matrix, generated.Matrix);
        Assert.Equal(expected, generated.Matrix.Values);

        var ones = Enumerable.Repeat(1.0, (int)Math.Pow(n + 1, dimension)).ToArray();
        Assert.Equal(expected, Diffusion.Assemble(ones, n, dimension).Values);
    }

    [Fact]
    public void FaceCoefficient_IsTheMeanOfItsTwoVertices()
    {
        const int n = 4, m = n + 1;
        var k = Enumerable.Range(0, m * m).Select(v => 1.0 + v).ToArray();
        var a = Diffusion.Assemble(k, n);
        double s = m * m;
        int cell = 1 + n * 2, east = cell + 1, north = cell + n;
        int v = 1 + m * 2; // lower-left vertex of cell (1, 2)
        Assert.Equal(-s * 0.5 * (k[v + 1] + k[v + 1 + m]), a[cell, east]);
        Assert.Equal(-s * 0.5 * (k[v + m] + k[v + m + 1]), a[cell, north]);
        Assert.Equal(s * (k[v] + k[v + 1] + k[v + m] + k[v + m + 1]), a[cell, cell], 1e-12 * a[cell, cell]);
    }

    [Fact]
    public void RightHandSide_IsWhiteNoiseByDefault_OrConstant()
    {
        var noise = Diffusion.Generate(new DiffusionOptions { GridSize = 64, Seed = 1 }).RightHandSide;
        Assert.InRange(noise.Average(), -0.05, 0.05);
        Assert.InRange(noise.Select(v => v * v).Average(), 0.93, 1.07);
        var constant = Diffusion.Generate(new DiffusionOptions { GridSize = 8, RightHandSide = RightHandSideKind.Constant });
        Assert.All(constant.RightHandSide, v => Assert.Equal(1.0, v));
    }

    [Fact]
    public void RightHandSide_DoesNotChangeTheField()
    {
        var a = Diffusion.Generate(new DiffusionOptions { GridSize = 8, Seed = 2 });
        var b = Diffusion.Generate(new DiffusionOptions { GridSize = 8, Seed = 2, RightHandSide = RightHandSideKind.Constant });
        Assert.Equal(a.Coefficients, b.Coefficients);
    }

    [Fact]
    public void PreconditionedCg_SolvesAHighContrastSystem()
    {
        var system = Diffusion.Generate(new DiffusionOptions { GridSize = 32, TargetContrast = 1e4, Seed = 12 });
        var cpu = Device.Cpu;
        var x = cpu.Allocate(system.Size);
        var result = new ConjugateGradient(cpu.Upload(system.Matrix), new Jacobi(system.Matrix), new SolverOptions(RelativeTolerance: 1e-10))
            .Solve(cpu.Upload(system.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(system.Matrix, x.ToArray(), system.RightHandSide) <= 1e-9);
    }

    [Fact]
    public void Options_AreValidated_NamingTheBadOne()
    {
        void Expect(string name, DiffusionOptions o) =>
            Assert.Equal(name, Assert.Throws<ArgumentOutOfRangeException>(() => Diffusion.Generate(o)).ParamName);
        Expect("GridSize", new DiffusionOptions { GridSize = 0 });
        Expect("GridSize", new DiffusionOptions { GridSize = 50_000 });
        Expect("GridSize", new DiffusionOptions { GridSize = 1300, Dimension = 3 });
        Expect("Dimension", new DiffusionOptions { Dimension = 1 });
        Expect("CorrelationLength", new DiffusionOptions { CorrelationLength = double.NaN });
        Expect("Variance", new DiffusionOptions { Variance = 0 });
        Expect("TargetContrast", new DiffusionOptions { TargetContrast = 0.5 });
        Expect("TargetContrast", new DiffusionOptions { TargetContrast = double.NaN });
        Expect("ThresholdQuantile", new DiffusionOptions { Discontinuous = true, TargetContrast = 10, ThresholdQuantile = 1 });
        Expect("MaxAttempts", new DiffusionOptions { MaxAttempts = 0 });
        Assert.Throws<ArgumentException>(() => Diffusion.Generate(new DiffusionOptions { TargetContrast = 10, ContrastBand = new ContrastBand(5, 15) }));
        Assert.Throws<ArgumentException>(() => Diffusion.Generate(new DiffusionOptions { Discontinuous = true }));
        Assert.Equal("low", Assert.Throws<ArgumentOutOfRangeException>(() => new ContrastBand(0.5, 2)).ParamName);
        Assert.Equal("high", Assert.Throws<ArgumentOutOfRangeException>(() => new ContrastBand(5, 2)).ParamName);
        Assert.Equal("variance", Assert.Throws<ArgumentOutOfRangeException>(() => DiffusionOptions.ConDiff(64, 0.3)).ParamName);
    }

    [Fact]
    public void Assemble_RejectsWrongLengthOrNonPositiveCoefficients()
    {
        Assert.Throws<ArgumentException>(() => Diffusion.Assemble(new double[16], 4));
        var k = Enumerable.Repeat(1.0, 25).ToArray();
        k[7] = 0;
        Assert.Throws<ArgumentException>(() => Diffusion.Assemble(k, 4));
        k[7] = double.NaN;
        Assert.Throws<ArgumentException>(() => Diffusion.Assemble(k, 4));
        Assert.Equal("gridSize", Assert.Throws<ArgumentOutOfRangeException>(() => Diffusion.Assemble(k, 0)).ParamName);
    }
}
