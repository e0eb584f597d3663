using LearnedSolvers.Sparse;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Storage;

namespace LearnedSolvers.Interop;

/// <summary>
/// Copies between <see cref="CsrMatrix"/> and MathNet.Numerics matrices. Both directions copy, so neither side sees
/// the other's later changes (a MathNet matrix is mutable; a <see cref="CsrMatrix"/> must not change once built).
/// </summary>
public static class MathNetConversions
{
    /// <summary>
    /// A MathNet sparse (CSR) matrix with the same entries, explicit zeros included. The three arrays are block-copied
    /// into MathNet's storage: no per-entry work and no re-sorting, since our columns are already sorted and unique.
    /// </summary>
    public static SparseMatrix ToMathNet(CsrMatrix a)
    {
        ArgumentNullException.ThrowIfNull(a);
        int nnz = a.NonZeros;
        var m = new SparseMatrix(a.Rows, a.Columns);
        var storage = (SparseCompressedRowMatrixStorage<double>)m.Storage;
        // MathNet's public CSR factory (OfCompressedSparseRowFormat) re-sorts every row and merges duplicates:
        // wasted work on a valid CsrMatrix and the slow part at a million rows. Filling the storage fields directly
        // is three memory copies.
        a.RowPointers.AsSpan().CopyTo(storage.RowPointers);
        storage.ColumnIndices = a.ColumnIndices.AsSpan(0, nnz).ToArray();
        storage.Values = a.Values.AsSpan(0, nnz).ToArray();
        return m;
    }

    /// <summary>
    /// A <see cref="CsrMatrix"/> with the same entries. A <see cref="SparseMatrix"/>'s CSR arrays are copied as they
    /// are (explicit zeros kept, spare capacity dropped); any other matrix is read column by column with zeros skipped.
    /// Throws <see cref="InvalidMatrixException"/> when a value is NaN or infinite.
    /// </summary>
    public static CsrMatrix FromMathNet(Matrix<double> m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return m.Storage switch
        {
            SparseCompressedRowMatrixStorage<double> s => FromSparse(s),
            DenseColumnMajorMatrixStorage<double> d => FromDense(d.RowCount, d.ColumnCount, d.Data),
            var other => FromEnumeration(other),
        };
    }

    private static CsrMatrix FromSparse(SparseCompressedRowMatrixStorage<double> s)
    {
        int rows = s.RowCount;
        int nnz = s.RowPointers[rows];
        // The constructor validates (sorted unique columns, finite values): MathNet's storage is public and mutable,
        // so a hand-filled one may break the CSR rules our kernels rely on.
        return new CsrMatrix(
            rows,
            s.ColumnCount,
            s.RowPointers.AsSpan(0, rows + 1).ToArray(),
            s.ColumnIndices.AsSpan(0, nnz).ToArray(),
            s.Values.AsSpan(0, nnz).ToArray());
    }

    /// <summary>Column-major data: count per row, then fill column by column, which leaves each row's columns sorted.</summary>
    private static CsrMatrix FromDense(int rows, int columns, double[] data)
    {
        var rowPointers = new int[rows + 1];
        for (int j = 0; j < columns; j++)
        {
            var column = data.AsSpan(j * rows, rows);
            for (int i = 0; i < rows; i++)
                if (column[i] != 0) rowPointers[i + 1]++;
        }
        for (int i = 0; i < rows; i++) rowPointers[i + 1] += rowPointers[i];

        int nnz = rowPointers[rows];
        var columnIndices = new int[nnz];
        var values = new double[nnz];
        var next = rowPointers.AsSpan(0, rows).ToArray();
        for (int j = 0; j < columns; j++)
        {
            var column = data.AsSpan(j * rows, rows);
            for (int i = 0; i < rows; i++)
            {
                double v = column[i];
                if (v == 0) continue;
                int slot = next[i]++;
                columnIndices[slot] = j;
                values[slot] = v;
            }
        }
        return new CsrMatrix(rows, columns, rowPointers, columnIndices, values);
    }

    /// <summary>Diagonal or user-defined storage: no arrays to read, so go through MathNet's enumeration.</summary>
    private static CsrMatrix FromEnumeration(MatrixStorage<double> storage)
    {
        var rows = new List<int>();
        var columns = new List<int>();
        var values = new List<double>();
        foreach (var (i, j, v) in storage.EnumerateNonZeroIndexed())
        {
            rows.Add(i);
            columns.Add(j);
            values.Add(v);
        }
        return CsrMatrix.FromTriplets(storage.RowCount, storage.ColumnCount, rows.ToArray(), columns.ToArray(), values.ToArray());
    }
}
