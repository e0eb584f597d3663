using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class CsrMatrixTests
{
    [Fact]
    public void FromTriplets_SumsDuplicates_AndSortsColumns()
    {
        var b = new TripletBuilder(3, 4);
        b.Add(2, 3, 1.5);
        b.Add(0, 2, 1);
        b.Add(0, 0, 2);
        b.Add(0, 2, 0.25);
        b.Add(2, 0, -1);
        var a = b.ToCsr();
        Assert.Equal([0, 2, 2, 4], a.RowPointers);
        Assert.Equal([0, 2, 0, 3], a.ColumnIndices);
        Assert.Equal([2, 1.25, -1, 1.5], a.Values);
        Assert.Equal(0.0, a[1, 1]);
        Assert.Equal(1.25, a[0, 2]);
    }

    [Fact]
    public void Transpose_MatchesDenseTranspose_OnRandomMatrix()
    {
        var a = RandomSystems.Nonsymmetric(57, seed: 3);
        var t = a.Transpose();
        var d = a.ToDense();
        var dt = t.ToDense();
        for (int i = 0; i < 57; i++)
            for (int j = 0; j < 57; j++)
                Assert.Equal(d[i, j], dt[j, i]);
        t.Validate();
    }

    [Fact]
    public void IsSymmetric_ComparesValuesWithinTheTolerance_AndTreatsOneSidedZerosAsSymmetric()
    {
        // Same pattern on both sides: the one-pass comparison.
        var a = CsrMatrix.FromTriplets(3, 3, [0, 0, 1, 1, 2], [0, 1, 0, 1, 2], [2.0, 1.0, 1.0 + 1e-14, 3.0, 4.0]);
        Assert.False(a.IsSymmetric());
        Assert.True(a.IsSymmetric(1e-12));
        Assert.False(CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [2.0, 1.0, 1.1, 3.0]).IsSymmetric(1e-12));
        // An entry stored on one side only: symmetric when it is an explicit zero, not otherwise.
        Assert.True(CsrMatrix.FromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [2.0, 0.0, 3.0]).IsSymmetric());
        Assert.False(CsrMatrix.FromTriplets(2, 2, [0, 0, 1], [0, 1, 1], [2.0, 0.5, 3.0]).IsSymmetric());
    }

    [Fact]
    public void IsSymmetric_TellsSpdFromNonsymmetric()
    {
        Assert.True(RandomSystems.Spd(200, seed: 1).IsSymmetric());
        Assert.False(RandomSystems.Nonsymmetric(200, seed: 1).IsSymmetric());
        Assert.False(new TripletBuilder(2, 3).ToCsr().IsSymmetric());
        // One off-diagonal value changed, the last one of its row: the mirrored pass must see it.
        var spd = RandomSystems.Spd(200, seed: 2);
        int row = 150, k = spd.RowPointers[row + 1] - 1;
        Assert.True(spd.ColumnIndices[k] > row);
        var values = (double[])spd.Values.Clone();
        values[k] *= 1 + 1e-9;
        Assert.False(spd.WithValues(values).IsSymmetric(1e-12));
        Assert.True(spd.WithValues(values).IsSymmetric(1e-6));
    }

    [Fact]
    public void Multiply_MatchesDenseProduct()
    {
        var a = RandomSystems.Nonsymmetric(123, seed: 9);
        var x = RandomSystems.Vector(123, seed: 10);
        var y = Reference.Multiply(a, x);
        var d = a.ToDense();
        for (int i = 0; i < 123; i++)
        {
            double s = 0;
            for (int j = 0; j < 123; j++) s += d[i, j] * x[j];
            Assert.Equal(s, y[i], 12);
        }
    }

    [Fact]
    public void Diagonal_HasZeroWhereNotStored()
    {
        var b = new TripletBuilder(3, 3);
        b.Add(0, 0, 4);
        b.Add(2, 2, 5);
        b.Add(1, 0, 1);
        Assert.Equal([4.0, 0.0, 5.0], b.ToCsr().Diagonal());
    }

    [Theory]
    [InlineData(new[] { 0, 1, 3 }, new[] { 0, 5, 1 }, "column index 5")]
    [InlineData(new[] { 0, 2, 1 }, new[] { 0, 1, 1 }, "decreases at row 1")]
    [InlineData(new[] { 0, 2, 3 }, new[] { 1, 0, 1 }, "sorted and unique")]
    [InlineData(new[] { 1, 2, 3 }, new[] { 0, 1, 1 }, "RowPointers[0]")]
    public void Constructor_RejectsBadStructure_NamingTheProblem(int[] rowPointers, int[] columns, string expected)
    {
        var e = Assert.Throws<InvalidMatrixException>(() => new CsrMatrix(2, 2, rowPointers, columns, [1, 2, 3]));
        Assert.Contains(expected, e.Message);
    }

    [Fact]
    public void Constructor_RejectsNaN_NamingRowAndValue()
    {
        var e = Assert.Throws<InvalidMatrixException>(() => new CsrMatrix(2, 2, [0, 1, 2], [0, 1], [1, double.NaN]));
        Assert.Contains("row 1", e.Message);
        Assert.Contains("NaN", e.Message);
    }

    [Fact]
    public void TripletBuilder_RejectsOutOfRangeIndex()
    {
        var b = new TripletBuilder(2, 2);
        var e = Assert.Throws<InvalidMatrixException>(() => b.Add(2, 0, 1));
        Assert.Contains("row index 2", e.Message);
    }
}
