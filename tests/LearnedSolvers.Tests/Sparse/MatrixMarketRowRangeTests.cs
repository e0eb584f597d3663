using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

/// <summary>
/// Reading a block of rows (what one MPI rank owns): the rows equal those of the whole matrix read at once, for
/// general and for symmetric storage (whose entries reach a row from either triangle), and a range past the file's
/// rows is refused.
/// </summary>
public sealed class MatrixMarketRowRangeTests
{
    [Theory]
    [InlineData("ani4", 0, 3081)]
    [InlineData("ani4", 1000, 1027)]
    [InlineData("1138_bus", 0, 1)]
    [InlineData("1138_bus", 569, 569)]
    [InlineData("1138_bus", 300, 0)]
    public void Rows_EqualThoseOfTheWholeMatrix(string name, int first, int count)
    {
        string path = SharedMatrices.PathOf(name);
        var whole = MatrixMarketReader.ReadMatrix(path);
        var rows = MatrixMarketReader.ReadRows(path, first, count);
        Assert.Equal(count, rows.Rows);
        Assert.Equal(whole.Columns, rows.Columns);
        for (int i = 0; i < count; i++)
        {
            int w = whole.RowPointers[first + i], length = whole.RowPointers[first + i + 1] - w;
            int r = rows.RowPointers[i];
            Assert.Equal(length, rows.RowPointers[i + 1] - r);
            Assert.Equal(whole.ColumnIndices.AsSpan(w, length).ToArray(), rows.ColumnIndices.AsSpan(r, length).ToArray());
            Assert.Equal(whole.Values.AsSpan(w, length).ToArray(), rows.Values.AsSpan(r, length).ToArray());
        }
    }

    [Fact]
    public void RangePastTheLastRow_IsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => MatrixMarketReader.ReadRows(SharedMatrices.PathOf("ani1"), 30, 7));
        Assert.Contains("36 rows", e.Message);
    }
}
