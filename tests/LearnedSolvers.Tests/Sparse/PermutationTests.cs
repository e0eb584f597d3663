using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Orderings;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class PermutationTests
{
    internal static Permutation Random(int n, int seed)
    {
        var p = Enumerable.Range(0, n).ToArray();
        new Random(seed).Shuffle(p);
        return new Permutation(p);
    }

    [Fact]
    public void Constructor_RejectsRepeatedAndOutOfRangeIndices_NamingThem()
    {
        var repeated = Assert.Throws<ArgumentException>(() => new Permutation([2, 0, 2]));
        Assert.Contains("Index 2 appears twice", repeated.Message);
        var outside = Assert.Throws<ArgumentException>(() => new Permutation([0, 3, 1]));
        Assert.Contains("index 3", outside.Message);
        Assert.Equal("newToOld", outside.ParamName);
    }

    [Fact]
    public void Inverse_AndThen_ComposeAsIndexMaps()
    {
        var p = Random(37, seed: 1);
        var q = Random(37, seed: 2);
        Assert.True(p.Then(p.Inverse()).IsIdentity);
        Assert.True(p.Inverse().Then(p).IsIdentity);
        var pq = p.Then(q);
        for (int i = 0; i < 37; i++)
        {
            Assert.Equal(p[q[i]], pq[i]);
            Assert.Equal(i, pq.OldToNew[pq[i]]);
        }
        Assert.False(p.IsIdentity);
        Assert.Throws<ArgumentException>(() => p.Then(Permutation.Identity(36)));
    }

    [Fact]
    public void Gather_ThenScatter_GivesTheVectorBack()
    {
        var p = Random(41, seed: 3);
        var x = RandomSystems.Vector(41, seed: 4);
        var permuted = new double[41];
        p.Gather(x, permuted);
        for (int i = 0; i < 41; i++) Assert.Equal(x[p[i]], permuted[i]);
        var back = new double[41];
        p.Scatter(permuted, back);
        Assert.Equal(x, back);
        Assert.Throws<ArgumentException>(() => p.Gather(x, new double[40]));
    }

    [Fact]
    public void PermuteMatrix_MatchesTheDenseDefinition_OnARectangularMatrix()
    {
        var rng = new Random(5);
        var b = new TripletBuilder(23, 17);
        for (int k = 0; k < 90; k++) b.Add(rng.Next(23), rng.Next(17), rng.NextDouble() - 0.5);
        var a = b.ToCsr();
        var rows = Random(23, seed: 6);
        var columns = Random(17, seed: 7);
        var permuted = Permutation.PermuteMatrix(a, rows, columns);
        permuted.Validate();
        var d = a.ToDense();
        var pd = permuted.ToDense();
        for (int i = 0; i < 23; i++)
            for (int j = 0; j < 17; j++)
                Assert.Equal(d[rows[i], columns[j]], pd[i, j]);
        Assert.Equal(a.NonZeros, permuted.NonZeros);
        Assert.Throws<ArgumentException>(() => Permutation.PermuteMatrix(a, columns, null));
    }
}
