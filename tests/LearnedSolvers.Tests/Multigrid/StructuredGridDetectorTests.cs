using LearnedSolvers.Multigrid;
using LearnedSolvers.Problems;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Multigrid;

public class StructuredGridDetectorTests
{
    [Theory]
    [InlineData(2, 16)]
    [InlineData(2, 64)]
    [InlineData(3, 16)]
    [InlineData(3, 7)]
    public void RecognizesGeneratedStencils(int dimension, int n)
    {
        var a = dimension == 2 ? Poisson.TwoD(n).Matrix : Diffusion.Generate(new DiffusionOptions { GridSize = n, Dimension = 3, Seed = 1 }).Matrix;
        Assert.True(StructuredGridDetector.TryDetect(a, out int size, out int d));
        Assert.Equal((n, dimension), (size, d));
    }

    [Fact]
    public void RejectsMatricesThatAreNotGridStencils()
    {
        Assert.False(StructuredGridDetector.TryDetect(RandomSystems.Spd(64, 1), out _, out _));
        Assert.False(StructuredGridDetector.TryDetect(RandomSystems.Spd(50, 1), out _, out _));
        // A 1D Laplacian of 64 rows has offsets ±1 that wrap across the lines of an 8 x 8 grid.
        var b = new LearnedSolvers.Sparse.TripletBuilder(64, 64);
        for (int i = 0; i < 64; i++)
        {
            b.Add(i, i, 2);
            if (i > 0) b.Add(i, i - 1, -1);
            if (i < 63) b.Add(i, i + 1, -1);
        }
        Assert.False(StructuredGridDetector.TryDetect(b.ToCsr(), out _, out _));
    }
}
