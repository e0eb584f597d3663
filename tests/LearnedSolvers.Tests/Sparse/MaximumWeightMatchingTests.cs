using LearnedSolvers.Sparse;
using LearnedSolvers.Sparse.Orderings;
using LearnedSolvers.Sparse.Scaling;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class MaximumWeightMatchingTests
{
    /// <summary>The six nonsymmetric shared matrices with zero or missing diagonal entries (INDEX.tsv: ILU(0) and GMRES(30) fail on them).</summary>
    public static TheoryData<string> Hard => new("west0479", "west0497", "nnc1374", "adder_dcop_05", "impcol_a", "mahindas");

    /// <summary>
    /// A random n x n matrix, about half full, magnitudes over six decades, random signs, and a few explicit zeros;
    /// entries on a random permutation make a perfect matching certain.
    /// </summary>
    private static CsrMatrix RandomSmall(int n, int seed)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(n, n);
        var matched = Enumerable.Range(0, n).ToArray();
        rng.Shuffle(matched);
        var present = new bool[n, n];
        for (int j = 0; j < n; j++) present[matched[j], j] = true;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                if (rng.NextDouble() < 0.5) present[i, j] = true;
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
            {
                if (!present[i, j]) continue;
                bool onMatching = matched[j] == i;
                double value = !onMatching && rng.NextDouble() < 0.05 ? 0 : Math.Pow(10, 6 * rng.NextDouble() - 3) * (rng.Next(2) == 0 ? 1 : -1);
                b.Add(i, j, value);
            }
        return b.ToCsr();
    }

    /// <summary>max over all row permutations p of Σ_j log |a_{p_j, j}|, by enumeration (Heap's algorithm).</summary>
    private static double BruteForceLogProduct(double[,] d, int n)
    {
        var p = Enumerable.Range(0, n).ToArray();
        var c = new int[n];
        double best = Score(p);
        for (int i = 0; i < n;)
        {
            if (c[i] < i)
            {
                int swap = i % 2 == 0 ? 0 : c[i];
                (p[swap], p[i]) = (p[i], p[swap]);
                best = Math.Max(best, Score(p));
                c[i]++;
                i = 0;
            }
            else
            {
                c[i] = 0;
                i++;
            }
        }
        return best;

        double Score(int[] rows)
        {
            double s = 0;
            for (int j = 0; j < n; j++) s += Math.Log(Math.Abs(d[rows[j], j]));
            return s;
        }
    }

    [Fact]
    public void DiagonalProduct_EqualsTheBruteForceMaximum_OnRandomSmallMatrices()
    {
        for (int seed = 0; seed < 400; seed++)
        {
            int n = 1 + seed % 7;
            var a = RandomSmall(n, seed);
            var matching = MaximumWeightMatching.Find(a);
            var d = a.ToDense();
            double found = 0;
            for (int j = 0; j < n; j++)
            {
                Assert.NotEqual(0.0, d[matching.RowPermutation[j], j]);
                found += Math.Log(Math.Abs(d[matching.RowPermutation[j], j]));
            }
            double best = BruteForceLogProduct(d, n);
            Assert.True(Math.Abs(found - best) <= 1e-10 * Math.Max(1, Math.Abs(best)), $"seed {seed}, n {n}: log product {found} but the best is {best}");
        }
    }

    [Fact]
    public void Duals_AreFeasible_AndTight_OnRandomSmallMatrices()
    {
        for (int seed = 100; seed < 130; seed++)
        {
            var a = RandomSmall(7, seed);
            var m = MaximumWeightMatching.Find(a);
            var scaled = RowColumnScaling.Apply(a, m.RowScaling, m.ColumnScaling);
            AssertUnitMatchedEntries_AndNoEntryAboveOne(Permutation.PermuteMatrix(scaled, m.RowPermutation, null));
        }
    }

    [Theory, MemberData(nameof(Hard))]
    public void HardSharedMatrix_GetsANonzeroDiagonal_ThatScalesToOne(string name)
    {
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        Assert.Contains(a.Diagonal(), d => d == 0); // what makes ILU(0) fail on the original
        var m = MaximumWeightMatching.Find(a);
        var permuted = Permutation.PermuteMatrix(a, m.RowPermutation, null);
        Assert.DoesNotContain(permuted.Diagonal(), d => d == 0);
        var scaled = RowColumnScaling.Apply(a, m.RowScaling, m.ColumnScaling);
        AssertUnitMatchedEntries_AndNoEntryAboveOne(Permutation.PermuteMatrix(scaled, m.RowPermutation, null));
    }

    private static void AssertUnitMatchedEntries_AndNoEntryAboveOne(CsrMatrix a)
    {
        for (int i = 0; i < a.Rows; i++)
        {
            Assert.Equal(1.0, Math.Abs(a[i, i]), 1e-12);
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                Assert.True(Math.Abs(a.Values[k]) <= 1 + 1e-12, $"|a({i}, {a.ColumnIndices[k]})| = {Math.Abs(a.Values[k]):R} > 1");
        }
    }

    [Fact]
    public void APermutedDiagonalMatrix_IsMatchedBackExactly()
    {
        var shuffle = PermutationTests.Random(50, seed: 21);
        var values = RandomSystems.Vector(50, seed: 22, low: 0.5, high: 2);
        var b = new TripletBuilder(50, 50);
        for (int j = 0; j < 50; j++) b.Add(shuffle[j], j, values[j]);
        var m = MaximumWeightMatching.Find(b.ToCsr());
        for (int j = 0; j < 50; j++) Assert.Equal(shuffle[j], m.RowPermutation[j]);
    }

    [Fact]
    public void StructurallySingularMatrix_Throws_SayingHowManyRowsMatch()
    {
        // Columns 0 and 1 have entries only in row 0; the explicit zero in (1, 1) does not count.
        var b = new TripletBuilder(4, 4);
        b.Add(0, 0, 1);
        b.Add(0, 1, 2);
        b.Add(1, 1, 0);
        b.Add(1, 2, 3);
        b.Add(2, 2, 4);
        b.Add(2, 3, 5);
        b.Add(3, 3, 6);
        var e = Assert.Throws<StructurallySingularException>(() => MaximumWeightMatching.Find(b.ToCsr()));
        Assert.Equal(4, e.Size);
        Assert.Equal(3, e.MatchedCount);
        Assert.Contains("only 3 of its 4 rows", e.Message);

        var empty = new TripletBuilder(3, 3);
        empty.Add(0, 0, 1);
        empty.Add(1, 0, 1);
        empty.Add(2, 2, 1);
        var emptyColumn = Assert.Throws<StructurallySingularException>(() => MaximumWeightMatching.Find(empty.ToCsr()));
        Assert.Equal(2, emptyColumn.MatchedCount);
        Assert.Equal(1, emptyColumn.UnmatchedColumn);
    }

    [Fact]
    public void NonSquareMatrix_IsRejected()
    {
        var b = new TripletBuilder(2, 3);
        b.Add(0, 0, 1);
        Assert.Throws<ArgumentException>(() => MaximumWeightMatching.Find(b.ToCsr()));
    }
}
