using LearnedSolvers.Interop;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace LearnedSolvers.Tests.Interop;

public class MathNetConversionsTests
{
    public static TheoryData<int, int, int> Shapes => new()
    {
        { 1, 1, 1 }, { 1, 7, 2 }, { 7, 1, 3 }, { 13, 29, 4 }, { 97, 41, 5 }, { 503, 499, 6 },
    };

    [Theory, MemberData(nameof(Shapes))]
    public void CsrToMathNetAndBack_IsExact_OnRandomSparse(int rows, int columns, int seed)
    {
        var a = RandomSparse(rows, columns, seed);
        var m = MathNetConversions.ToMathNet(a);
        Assert.Equal(rows, m.RowCount);
        Assert.Equal(columns, m.ColumnCount);
        Assert.Equal(a.NonZeros, m.NonZerosCount);
        for (int i = 0; i < rows; i++)
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++)
                Assert.Equal(a.Values[k], m[i, a.ColumnIndices[k]]);

        var back = MathNetConversions.FromMathNet(m);
        AssertSame(a, back);
    }

    [Theory, MemberData(nameof(Shapes))]
    public void FromMathNet_Dense_SkipsZeros_AndKeepsEveryOtherEntry(int rows, int columns, int seed)
    {
        var dense = RandomSparse(rows, columns, seed).ToDense();
        var m = DenseMatrix.OfArray(dense);
        var a = MathNetConversions.FromMathNet(m);
        Assert.Equal(dense.Cast<double>().Count(v => v != 0), a.NonZeros);
        Assert.Equal(dense, a.ToDense());
        a.Validate();
    }

    [Fact]
    public void FromMathNet_SparseBuiltEntryByEntry_IgnoresSpareCapacity()
    {
        // Setting entries one by one leaves MathNet's arrays longer than the entry count.
        var rng = new Random(11);
        var m = new SparseMatrix(37, 23);
        for (int k = 0; k < 200; k++) m[rng.Next(37), rng.Next(23)] = rng.NextDouble() * 2 - 1;
        m[3, 4] = 0; // removes the entry if present
        var storage = (SparseCompressedRowMatrixStorage<double>)m.Storage;
        Assert.True(storage.Values.Length > storage.ValueCount, "The test needs spare capacity in MathNet's arrays.");

        var a = MathNetConversions.FromMathNet(m);
        Assert.Equal(m.NonZerosCount, a.NonZeros);
        Assert.Equal(m.ToArray(), a.ToDense());
    }

    [Fact]
    public void FromMathNet_DiagonalMatrix_GoesThroughEnumeration()
    {
        var d = RandomSystems.Vector(9, 12, 1, 2);
        var a = MathNetConversions.FromMathNet(DiagonalMatrix.OfDiagonal(9, 9, d));
        Assert.Equal(9, a.NonZeros);
        Assert.Equal(d, a.Diagonal());
    }

    [Fact]
    public void ToMathNet_CopiesTheArrays()
    {
        var a = RandomSparse(20, 20, 13);
        double before = a.Values[0];
        var m = MathNetConversions.ToMathNet(a);
        int row = a.RowOf(0);
        m[row, a.ColumnIndices[0]] = before + 1;
        Assert.Equal(before, a.Values[0]);
    }

    [Fact]
    public void FromMathNet_RejectsNaN_NamingTheEntry()
    {
        var m = DenseMatrix.OfArray(new[,] { { 1.0, 2 }, { double.NaN, 4 } });
        var e = Assert.Throws<InvalidMatrixException>(() => MathNetConversions.FromMathNet(m));
        Assert.Contains("row 1", e.Message);
    }

    /// <summary>
    /// The conversion copies our three arrays straight into MathNet's CSR storage (no re-sorting through MathNet's
    /// factory): the stored arrays are ours, entry for entry. (How fast that is belongs in a benchmark, not a test.)
    /// </summary>
    [Fact]
    public void ToMathNet_CopiesTheCsrArraysDirectly()
    {
        var a = Banded(100_000);
        var storage = (MathNet.Numerics.LinearAlgebra.Storage.SparseCompressedRowMatrixStorage<double>)MathNetConversions.ToMathNet(a).Storage;
        Assert.Equal(a.RowPointers, storage.RowPointers[..(a.Rows + 1)]);
        Assert.Equal(a.ColumnIndices.AsSpan(0, a.NonZeros).ToArray(), storage.ColumnIndices[..a.NonZeros]);
        Assert.Equal(a.Values.AsSpan(0, a.NonZeros).ToArray(), storage.Values[..a.NonZeros]);
    }

    /// <summary>About a third of the entries present, some rows empty, values in [-1, 1) and never zero.</summary>
    internal static CsrMatrix RandomSparse(int rows, int columns, int seed)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(rows, columns);
        for (int i = 0; i < rows; i++)
        {
            if (rows > 3 && rng.Next(7) == 0) continue;
            int count = 1 + rng.Next(Math.Max(1, columns / 3));
            for (int k = 0; k < count; k++) b.Add(i, rng.Next(columns), 0.001 + rng.NextDouble());
        }
        var a = b.ToCsr();
        for (int k = 0; k < a.NonZeros; k++)
            if (rng.Next(2) == 0) a.Values[k] = -a.Values[k];
        return a;
    }

    /// <summary>Five entries per row (the benchmark's 1M rows / 5M entries), built directly.</summary>
    private static CsrMatrix Banded(int n)
    {
        var rp = new int[n + 1];
        var ci = new List<int>(5 * n);
        var v = new List<double>(5 * n);
        int[] offsets = [-1000, -1, 0, 1, 1000];
        for (int i = 0; i < n; i++)
        {
            foreach (int o in offsets)
            {
                int j = i + o;
                if (j < 0 || j >= n) continue;
                ci.Add(j);
                v.Add(o == 0 ? 4.5 : -1.0 - 1e-3 * (i % 7));
            }
            rp[i + 1] = ci.Count;
        }
        return new CsrMatrix(n, n, rp, ci.ToArray(), v.ToArray());
    }

    private static void AssertSame(CsrMatrix expected, CsrMatrix actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Columns, actual.Columns);
        Assert.Equal(expected.RowPointers, actual.RowPointers);
        Assert.Equal(expected.ColumnIndices.AsSpan(0, expected.NonZeros).ToArray(), actual.ColumnIndices.AsSpan(0, actual.NonZeros).ToArray());
        Assert.Equal(expected.Values.AsSpan(0, expected.NonZeros).ToArray(), actual.Values.AsSpan(0, actual.NonZeros).ToArray());
    }
}
