using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Krylov;
using LearnedSolvers.Multigrid;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Multigrid;

public class MultigridTests
{
    private static readonly Device Cpu = Device.Cpu;

    /// <summary>(‖r_k‖/‖r_0‖)^(1/k) of the standalone multigrid iteration: the measured convergence factor per cycle.</summary>
    private static double ConvergenceFactor(MultigridHierarchy h, LinearSystem s)
    {
        var x = Cpu.Allocate(s.Size);
        var result = new MultigridSolver(h, new SolverOptions(RelativeTolerance: 1e-10, MaxIterations: 200)).Solve(Cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-10);
        return Math.Pow(result.ResidualHistory[^1] / result.ResidualHistory[0], 1.0 / result.Iterations);
    }

    [Theory]
    [InlineData(2, 31)]
    [InlineData(2, 64)]
    [InlineData(2, 127)]
    [InlineData(3, 15)]
    [InlineData(3, 24)]
    public void Geometric_VCycle_ConvergesFasterThanPointTwo_OnPoisson(int dimension, int n)
    {
        var s = dimension == 2 ? Poisson.TwoD(n) : Poisson.ThreeD(n);
        using var h = GeometricMultigrid.Build(s);
        Assert.True(h.LevelCount >= 2);
        double factor = ConvergenceFactor(h, s);
        Assert.True(factor < 0.2, $"V-cycle factor {factor:F3}");
    }

    [Fact]
    public void Geometric_TwoGrid_ConvergesFasterThanPointTwo()
    {
        var s = Poisson.TwoD(63);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { MaxLevels = 2, CoarseSize = 1 });
        Assert.Equal(2, h.LevelCount);
        Assert.True(ConvergenceFactor(h, s) < 0.2);
    }

    [Theory]
    [InlineData(2, 40)]
    [InlineData(2, 100)]
    [InlineData(3, 16)]
    public void Amg_VCycle_ConvergesFasterThanOneHalf_OnPoisson(int dimension, int n)
    {
        var s = dimension == 2 ? Poisson.TwoD(n) : Poisson.ThreeD(n);
        using var h = SmoothedAggregationAmg.Build(s.Matrix);
        Assert.True(h.LevelCount >= 2);
        double factor = ConvergenceFactor(h, s);
        Assert.True(factor < 0.5, $"AMG V-cycle factor {factor:F3}");
    }

    [Fact]
    public void Amg_OperatorComplexity_IsBelowOnePointSix_On2DPoisson()
    {
        using var h = SmoothedAggregationAmg.Build(Poisson.TwoD(200).Matrix);
        Assert.True(h.OperatorComplexity < 1.6, h.Summary());
        Assert.Contains("operator complexity", h.Summary());
    }

    public static TheoryData<SmootherKind, bool> SmootherAndMethod => new()
    {
        { SmootherKind.Jacobi, true }, { SmootherKind.Chebyshev, true }, { SmootherKind.GaussSeidel, true },
        { SmootherKind.Jacobi, false }, { SmootherKind.Chebyshev, false }, { SmootherKind.GaussSeidel, false },
    };

    [Theory, MemberData(nameof(SmootherAndMethod))]
    public void VCycle_IsASymmetricPreconditioner(SmootherKind smoother, bool geometric)
    {
        var s = Diffusion.Generate(new DiffusionOptions { GridSize = 33, TargetContrast = 100, Seed = 4 });
        var options = new MultigridOptions { Smoother = smoother, CoarseSize = 20 };
        using var h = geometric ? GeometricMultigrid.Build(s, options) : SmoothedAggregationAmg.Build(s.Matrix, options);
        var m = new MultigridPreconditioner(h);
        Assert.True(m.IsSymmetric);
        Assert.True(PreconditionerChecks.SymmetryDefect(m, 7) < 1e-10);
    }

    [Fact]
    public void FCycle_IsNotClaimedSymmetric_AndWorksWithFlexibleCg()
    {
        var s = Poisson.TwoD(63);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { Cycle = CycleKind.F });
        var m = new MultigridPreconditioner(h);
        Assert.False(m.IsSymmetric);
        var x = Cpu.Allocate(s.Size);
        var result = new FlexibleConjugateGradient(Cpu.Upload(s.Matrix), m).Solve(Cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Pcg_IterationsDoNotGrowWithTheGrid(bool geometric)
    {
        var counts = new List<int>();
        foreach (int n in new[] { 32, 64, 128 })
        {
            var s = Poisson.TwoD(n);
            using var h = geometric ? GeometricMultigrid.Build(s) : SmoothedAggregationAmg.Build(s.Matrix);
            var x = Cpu.Allocate(s.Size);
            var result = new ConjugateGradient(Cpu.Upload(s.Matrix), new MultigridPreconditioner(h)).Solve(Cpu.Upload(s.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
            counts.Add(result.Iterations);
        }
        Assert.True(counts.Max() <= (geometric ? 20 : 30), string.Join(", ", counts));
        Assert.True(counts[^1] <= counts[0] + 3, string.Join(", ", counts));
    }

    /// <summary>
    /// Issue target: at most 2x the Poisson iterations. Measured now: 34 against 9 (n = 96, binary field, contrast 1e4);
    /// this guards the present 4x until a stronger coarse space (e.g. classical AMG interpolation) lands.
    /// </summary>
    [Fact]
    public void Amg_OnDiscontinuousHighContrastDiffusion_StaysWithinFourTimesThePoissonIterations()
    {
        const int n = 96;
        var diffusion = Diffusion.Generate(new DiffusionOptions { GridSize = n, TargetContrast = 1e4, Discontinuous = true, Seed = 11 });
        var poisson = Poisson.TwoD(n);
        int Iterations(LinearSystem s)
        {
            using var h = SmoothedAggregationAmg.Build(s.Matrix);
            var x = Cpu.Allocate(s.Size);
            var result = new ConjugateGradient(Cpu.Upload(s.Matrix), new MultigridPreconditioner(h)).Solve(Cpu.Upload(s.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
            return result.Iterations;
        }
        int d = Iterations(diffusion), p = Iterations(poisson);
        Assert.True(d <= 4 * p, $"diffusion {d}, Poisson {p}");
    }

    [Theory]
    [InlineData(64)]
    [InlineData(128)]
    public void ClassicalAmg_OnDiscontinuousHighContrastDiffusion_NeedsAtMostTwiceThePoissonIterations(int n)
    {
        var diffusion = Diffusion.Generate(new DiffusionOptions { GridSize = n, TargetContrast = 1e4, Discontinuous = true, Seed = 11 });
        int Iterations(LinearSystem s)
        {
            using var h = ClassicalAmg.Build(s.Matrix);
            var m = new MultigridPreconditioner(h);
            Assert.True(PreconditionerChecks.SymmetryDefect(m, 3) < 1e-10);
            var x = Cpu.Allocate(s.Size);
            var result = new ConjugateGradient(Cpu.Upload(s.Matrix), m).Solve(Cpu.Upload(s.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
            return result.Iterations;
        }
        int d = Iterations(diffusion), p = Iterations(Poisson.TwoD(n));
        Assert.True(d <= 2 * p, $"diffusion {d}, Poisson {p}");
    }

    [Fact]
    public void ClassicalAmg_VCycle_ConvergesFasterThanOneHalf_OnPoisson()
    {
        var s = Poisson.TwoD(100);
        using var h = ClassicalAmg.Build(s.Matrix);
        Assert.Contains("Ruge", h.Summary());
        Assert.True(ConvergenceFactor(h, s) < 0.5);
    }

    [Fact]
    public void ACoarsestLevelTooLargeToFactor_IsSmoothed_AndTheCycleStillConverges()
    {
        var s = Poisson.TwoD(225);
        Assert.True(s.Size > MultigridHierarchy.MaxDirectSize);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { MaxLevels = 1 });
        Assert.Equal(1, h.LevelCount);
        Assert.Null(h.CoarseSolver);
        Assert.Contains($"too large to factor: {s.Size} rows, more than {MultigridHierarchy.MaxDirectSize}", h.Summary());
        AssertPcgConverges(h, s);
    }

    [Fact]
    public void ACoarsestLevelWhoseFactorsExceedTheMemoryLimit_IsSmoothed_AndTheCycleStillConverges()
    {
        var s = Poisson.TwoD(40);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { MaxLevels = 1, CoarseMemoryLimitBytes = 10_000 });
        Assert.Null(h.CoarseSolver);
        Assert.Contains("too large to factor: the factors need about", h.Summary());
        Assert.Contains("more than the limit of 10 kB", h.Summary());
        AssertPcgConverges(h, s);
    }

    [Fact]
    public void ACoarsestLevelOfTenThousandRows_IsFactoredSparsely_AndSolvedExactly()
    {
        // Beyond the few thousand rows a dense LU could hold.
        var s = Poisson.TwoD(100);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { MaxLevels = 1 });
        Assert.NotNull(h.CoarseSolver);
        Assert.Contains($"(sparse direct solve, {h.CoarseSolver!.Backend})", h.Summary());
        var z = PreconditionerChecks.Apply(new MultigridPreconditioner(h), s.RightHandSide);
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, z, s.RightHandSide) < 1e-12);
    }

    [Fact]
    public void ASingularCoarsestLevel_ThrowsZeroPivotException_NamingTheCoarseSolve()
    {
        var a = RandomSystems.Spd(60, 3);
        var values = (double[])a.Values.Clone();
        for (int i = 0; i < a.Rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                if (i == 17 || a.ColumnIndices[k] == 17) values[k] = 0; // row and column 17 all zero
        var singular = a.WithValues(values);
        var e = Assert.Throws<ZeroPivotException>(() => SmoothedAggregationAmg.Build(singular, new MultigridOptions { CoarseSize = 100 }));
        Assert.StartsWith("multigrid coarse solve: ", e.Message);
        Assert.Contains("singular", e.Message);
        Assert.IsType<SingularMatrixException>(e.InnerException);
    }

    [Fact]
    public void WarmCoarseSolve_AllocatesNothing()
    {
        var s = Poisson.TwoD(30);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { MaxLevels = 1 });
        Assert.NotNull(h.CoarseSolver);
        using var b = Cpu.Upload(s.RightHandSide);
        using var x = Cpu.Allocate(s.Size);
        h.Cycle(b, x);
        var (_, bytes) = Allocations.Least(() =>
        {
            h.Cycle(b, x);
            return 0;
        });
        Assert.Equal(0, bytes);
    }

    [Fact]
    public void Dispose_FreesTheCoarseFactors()
    {
        var s = Poisson.TwoD(20);
        var h = GeometricMultigrid.Build(s, new MultigridOptions { MaxLevels = 1 });
        var coarse = h.CoarseSolver!;
        using var b = Cpu.Upload(s.RightHandSide);
        using var x = Cpu.Allocate(s.Size);
        coarse.Solve(b, x);
        h.Dispose();
        Assert.Throws<ObjectDisposedException>(() => coarse.Solve(b, x));
        h.Dispose(); // a second call does nothing
    }

    private static void AssertPcgConverges(MultigridHierarchy h, LinearSystem s)
    {
        var x = Cpu.Allocate(s.Size);
        var result = new ConjugateGradient(Cpu.Upload(s.Matrix), new MultigridPreconditioner(h)).Solve(Cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
    }

    [Fact]
    public void SingleLevel_IsAnExactDirectSolve()
    {
        var s = Poisson.TwoD(12);
        using var h = GeometricMultigrid.Build(s, new MultigridOptions { CoarseSize = 1000 });
        Assert.Equal(1, h.LevelCount);
        var z = PreconditionerChecks.Apply(new MultigridPreconditioner(h), s.RightHandSide);
        Assert.True(Reference.RelativeMaxError(z, Reference.DenseSolve(s.Matrix, s.RightHandSide)) < 1e-12);
    }

    [Fact]
    public void Prolongation_InterpolatesLinearFunctionsExactlyInTheInterior()
    {
        const int n = 15, coarse = 7;
        var p = GeometricMultigrid.Prolongation(n, 2);
        Assert.Equal((n * n, coarse * coarse), (p.Rows, p.Columns));
        // u(x, y) = 2x + 3y + 1 on coarse points (fine index 2c + 1) must come back exactly at fine points away from the boundary.
        var uc = new double[coarse * coarse];
        for (int j = 0; j < coarse; j++)
            for (int i = 0; i < coarse; i++)
                uc[i + coarse * j] = 2 * (2 * i + 1) + 3 * (2 * j + 1) + 1;
        var uf = Reference.Multiply(p, uc);
        for (int j = 1; j < n - 1; j++)
            for (int i = 1; i < n - 1; i++)
                Assert.Equal(2 * i + 3 * j + 1, uf[i + n * j], 12);
    }

    [Fact]
    public void BadInput_GivesClearErrors()
    {
        var a = RandomSystems.Spd(50, 1);
        var e = Assert.Throws<ArgumentException>(() => GeometricMultigrid.Build(a, 7, 2));
        Assert.Contains("grid", e.Message);
        var noGrid = new LinearSystem(a, RandomSystems.Vector(50, 2), "random");
        Assert.Throws<ArgumentException>(() => GeometricMultigrid.Build(noGrid));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmoothedAggregationAmg.Build(a, new MultigridOptions { PreSweeps = 0, PostSweeps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SmoothedAggregationAmg.Build(a, new MultigridOptions { JacobiWeight = 2.5 }));
    }
}
