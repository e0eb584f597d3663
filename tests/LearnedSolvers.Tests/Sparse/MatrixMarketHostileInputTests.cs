using System.Text;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Sparse;

/// <summary>Malformed files fail with a message, before allocating what their size line asks for.</summary>
public sealed class MatrixMarketHostileInputTests
{
    private const string General = "%%MatrixMarket matrix coordinate real general";
    private const string Symmetric = "%%MatrixMarket matrix coordinate real symmetric";

    private static MatrixMarketException ReadFails(string text, bool acceptBothTriangles = false) =>
        Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(new MemoryStream(Encoding.UTF8.GetBytes(text)), "m.mtx", acceptBothTriangles));

    [Fact]
    public void RowsAtInt32Max_FailWithAMessage_NotAnOverflow()
    {
        var e = ReadFails(General + "\n2147483647 2147483647 1\n1 1 1.0\n");
        Assert.Contains("rows 2147483647 exceeds", e.Message);
        Assert.Equal(2, e.LineNumber);
    }

    [Fact]
    public void FromTriplets_RowsAtInt32Max_FailsWithInvalidMatrix()
    {
        var e = Assert.Throws<InvalidMatrixException>(() => CsrMatrix.FromTriplets(int.MaxValue, 1, [], [], []));
        Assert.Contains("row pointers", e.Message);
    }

    [Fact]
    public void BillionDeclaredEntries_OneStored_FailAsTruncated_WithStorageForWhatWasRead()
    {
        var bytes = Encoding.UTF8.GetBytes(General + "\n10 10 1000000000\n1 1 1.0\n");
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(new MemoryStream(bytes), "m.mtx"));
        Assert.Contains("1 of the 1000000000 entries", e.Message);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8_000_000, "the reader allocated for the declared entries");
    }

    [Fact]
    public void SaturatedIndex_QuotesTheTokenAsWritten()
    {
        var e = ReadFails(General + "\n3 3 1\n99999999999999999999999 1 1\n");
        Assert.Contains("row index 99999999999999999999999 is outside 1..3", e.Message);
        Assert.DoesNotContain("9223372036854775807", e.Message);
    }

    [Fact]
    public void SaturatedSize_QuotesTheTokenAsWritten()
    {
        var e = ReadFails(General + "\n12345678901234567890123 3 1\n1 1 1\n");
        Assert.Contains("rows 12345678901234567890123 exceeds", e.Message);
    }

    [Fact]
    public void SymmetricFileWithBothTriangles_IsRefused_NamingBothLines()
    {
        var e = ReadFails(Symmetric + "\n3 3 3\n1 2 2.0\n2 1 2.0\n3 3 1.0\n");
        Assert.Contains("both triangles", e.Message);
        Assert.Contains("line 3", e.Message);
        Assert.Equal(4, e.LineNumber);
    }

    [Fact]
    public void SymmetricFileWithBothTriangles_WhenAccepted_MirrorsEveryEntry()
    {
        var a = MatrixMarketReader.ReadMatrix(new MemoryStream(Encoding.UTF8.GetBytes(Symmetric + "\n2 2 2\n1 2 2.0\n2 1 2.0\n")), "m.mtx", acceptBothTriangles: true);
        Assert.Equal(4.0, a.Values[a.IndexOf(0, 1)]);
    }

    [Fact]
    public void SymmetricFileWithOneUpperTriangle_IsRead()
    {
        var a = MatrixMarketReader.ReadMatrix(new MemoryStream(Encoding.UTF8.GetBytes(Symmetric + "\n2 2 2\n1 2 2.0\n2 2 1.0\n")), "m.mtx");
        Assert.Equal(2.0, a.Values[a.IndexOf(1, 0)]);
    }

    [Fact]
    public void Directory_IsReportedAsADirectory()
    {
        var e = Assert.Throws<MatrixMarketException>(() => MatrixMarketReader.ReadMatrix(Path.GetTempPath()));
        Assert.Contains("is a directory", e.Message);
    }

    [Fact]
    public void CoordinateVector_DeclaringMoreThanMemory_FailsBeforeAllocating()
    {
        long rows = Math.Min(Array.MaxLength, MemoryBudget.AvailableBytes / 8 + 1);
        if (8.0 * rows <= MemoryBudget.AvailableBytes) return; // a machine with more memory than an array can address
        var e = Assert.Throws<MatrixMarketException>(() =>
            MatrixMarketReader.ReadVector(new MemoryStream(Encoding.UTF8.GetBytes($"{General}\n{rows} 1 1\n1 1 1.0\n")), "b.mtx"));
        Assert.Contains("needs", e.Message);
    }

    [Fact]
    public void ZeroDiagonal_InJacobi_IsNotCalledAFactorization_AndCountsRowsFromOne()
    {
        var a = CsrMatrix.FromTriplets(2, 2, [0, 1], [0, 1], [1.0, 0.0]);
        var e = Assert.Throws<ZeroPivotException>(() => new Jacobi(a));
        Assert.Contains("diagonal entry of row 2", e.Message);
        Assert.DoesNotContain("factorization", e.Message);
        Assert.Equal(1, e.Row);
    }
}
