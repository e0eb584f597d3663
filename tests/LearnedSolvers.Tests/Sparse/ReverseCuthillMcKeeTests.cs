using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Orderings;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class ReverseCuthillMcKeeTests
{
    [Theory]
    [InlineData(10)]
    [InlineData(31)]
    public void Bandwidth_OfShuffledPoisson2D_ComesBackToTheGridSide(int side)
    {
        var a = Poisson.TwoD(side).Matrix;
        var shuffle = PermutationTests.Random(a.Rows, seed: side);
        var shuffled = Permutation.PermuteMatrix(a, shuffle, shuffle);
        Assert.True(Bandwidth.Of(shuffled) > a.Rows / 2, "the shuffle should destroy the band");

        var order = ReverseCuthillMcKee.Order(shuffled);
        Assert.Equal(a.Rows, order.Size);
        int width = Bandwidth.Of(Permutation.PermuteMatrix(shuffled, order, order));
        Assert.InRange(width, side, side + 1);
    }

    [Fact]
    public void ShuffledPath_StoredOneWayOnly_GetsBandwidthOne()
    {
        // A lower bidiagonal pattern: the graph of A + Aᵀ is a path, though A itself stores each edge once.
        int n = 200;
        var b = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            b.Add(i, i, 2);
            if (i > 0) b.Add(i, i - 1, -1);
        }
        var shuffle = PermutationTests.Random(n, seed: 8);
        var shuffled = Permutation.PermuteMatrix(b.ToCsr(), shuffle, shuffle);
        var order = ReverseCuthillMcKee.Order(shuffled);
        Assert.Equal(1, Bandwidth.Of(Permutation.PermuteMatrix(shuffled, order, order)));
    }

    [Fact]
    public void EveryComponent_IsNumbered_AndKeptContiguous()
    {
        // Two grids, three isolated nodes and a pair, all shuffled together.
        var grid = Poisson.TwoD(7).Matrix;
        int n = 2 * grid.Rows + 5;
        var b = new TripletBuilder(n, n);
        for (int copy = 0; copy < 2; copy++)
            for (int i = 0; i < grid.Rows; i++)
                for (int k = grid.RowPointers[i]; k < grid.RowPointers[i + 1]; k++)
                    b.Add(copy * grid.Rows + i, copy * grid.Rows + grid.ColumnIndices[k], grid.Values[k]);
        int rest = 2 * grid.Rows;
        b.Add(rest, rest, 1);
        b.Add(rest + 1, rest + 2, 1); // a pair without diagonal entries
        var shuffle = PermutationTests.Random(n, seed: 9);
        var shuffled = Permutation.PermuteMatrix(b.ToCsr(), shuffle, shuffle);

        var order = ReverseCuthillMcKee.Order(shuffled);
        Assert.Equal(n, order.Size);
        var reordered = Permutation.PermuteMatrix(shuffled, order, order);
        Assert.InRange(Bandwidth.Of(reordered), 7, 8);
        // Contiguous components: no entry couples a position to one outside its block.
        var componentOf = new int[n];
        for (int i = 0; i < n; i++)
        {
            int original = shuffle[order[i]];
            componentOf[i] = original < grid.Rows ? 0 : original < rest ? 1 : original == rest + 2 ? rest + 1 : original;
        }
        for (int i = 1; i < n; i++)
            if (componentOf[i] != componentOf[i - 1])
                Assert.DoesNotContain(componentOf[i], componentOf[..(i - 1)]);
    }

    [Fact]
    public void NonSquareMatrix_IsRejected()
    {
        var a = new TripletBuilder(3, 4).ToCsr();
        Assert.Throws<ArgumentException>(() => ReverseCuthillMcKee.Order(a));
    }

    [Fact]
    public void HardSharedMatrix_WithUnsymmetricPattern_GetsAValidSmallerBand()
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf("west0479"));
        var order = ReverseCuthillMcKee.Order(a);
        Assert.Equal(a.Rows, order.Size);
        Assert.True(Bandwidth.Of(Permutation.PermuteMatrix(a, order, order)) < Bandwidth.Of(a));
    }
}
