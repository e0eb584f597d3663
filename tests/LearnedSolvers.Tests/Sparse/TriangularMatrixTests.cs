using LearnedSolvers.Preconditioners;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.Sparse;

public class TriangularMatrixTests
{
    [Fact]
    public void EntriesOutsideTheTriangle_AreRejected_NamingTheEntry()
    {
        var e = Assert.Throws<InvalidMatrixException>(() => new TriangularMatrix(2, isLower: true, hasUnitDiagonal: false, [0, 2, 3], [0, 1, 1], [1.0, 1.0, 1.0]));
        Assert.Contains("row 0, column 1", e.Message);
        Assert.Contains("lower", e.Message);
        Assert.Throws<InvalidMatrixException>(() => new TriangularMatrix(2, isLower: false, hasUnitDiagonal: false, [0, 1, 3], [0, 0, 1], [1.0, 1.0, 1.0]));
    }

    [Fact]
    public void MissingDiagonal_IsRejected_UnlessUnit_AndAStoredUnitDiagonal_IsRejected()
    {
        // Row 1 holds only column 0.
        var e = Assert.Throws<InvalidMatrixException>(() => new TriangularMatrix(2, isLower: true, hasUnitDiagonal: false, [0, 1, 2], [0, 0], [1.0, 1.0]));
        Assert.Contains("Row 1 has no diagonal", e.Message);
        var unit = new TriangularMatrix(2, isLower: true, hasUnitDiagonal: true, [0, 0, 1], [0], [0.5]);
        Assert.Equal(2, unit.Levels.LevelCount);
        Assert.Contains("unit diagonal", Assert.Throws<InvalidMatrixException>(
            () => new TriangularMatrix(2, isLower: true, hasUnitDiagonal: true, [0, 1, 2], [0, 1], [1.0, 1.0])).Message);
    }

    [Fact]
    public void UnsortedColumns_AndBadRowPointers_AreRejected()
    {
        Assert.Throws<InvalidMatrixException>(() => new TriangularMatrix(2, isLower: true, hasUnitDiagonal: false, [0, 1, 3], [0, 1, 0], [1.0, 1.0, 1.0]));
        Assert.Throws<InvalidMatrixException>(() => new TriangularMatrix(2, isLower: true, hasUnitDiagonal: false, [0, 1], [0], [1.0]));
    }

    [Fact]
    public void InverseDiagonal_IsOneOverTheStoredDiagonal_OrOnes_AndZeroIsAZeroPivot()
    {
        var upper = new TriangularMatrix(2, isLower: false, hasUnitDiagonal: false, [0, 2, 3], [0, 1, 1], [4.0, 1.0, -0.5]);
        var inverse = new double[2];
        upper.InverseDiagonal(inverse);
        Assert.Equal([0.25, -2.0], inverse);
        new TriangularMatrix(2, isLower: false, hasUnitDiagonal: true, [0, 1, 1], [1], [7.0]).InverseDiagonal(inverse);
        Assert.Equal([1.0, 1.0], inverse);
        var zero = new TriangularMatrix(2, isLower: true, hasUnitDiagonal: false, [0, 1, 3], [0, 0, 1], [1.0, 1.0, 0.0]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => zero.InverseDiagonal(inverse)).Row);
        Assert.Throws<ArgumentException>(() => upper.InverseDiagonal(new double[3]));
    }
}
