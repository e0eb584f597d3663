using LearnedSolvers.Sparse;

namespace LearnedSolvers.Preconditioners;

/// <summary>
/// The row-wise elimination of ILUT(τ, p) and ILUTP(τ, p, t) (Saad, Iterative Methods for Sparse Linear Systems,
/// 2nd ed., Algorithms 10.6 and 10.7; SPARSKIT's ilut and ilutp): each row of A is loaded into a
/// <see cref="SparseWorkingRow"/> and eliminated in IKJ order with the U rows above it; a multiplier smaller than
/// τ·‖a_i‖₂ is dropped before it is used, and after the row is done every entry below τ·‖a_i‖₂ is dropped and only the
/// p largest of the L part and the p largest of the U part (beyond the diagonal) are kept. With a pivot tolerance
/// t &gt; 0 the columns are exchanged as the rows proceed, so the factors are those of A Q.
/// <para>
/// Column pivoting keeps the U rows in A's original column numbering while the factorization runs, because a later
/// exchange relabels columns that earlier U rows hold; the multipliers' columns (new positions below the current row)
/// never move again, so L is written in the final numbering at once, and U is renumbered at the end.
/// </para>
/// </summary>
internal static class ThresholdLuFactorization
{
    /// <summary>
    /// A pivot of magnitude at most this times ‖a_i‖₂ is replaced (zero included): √ε, below which a pivot left by
    /// cancellation holds no correct digits relative to its row.
    /// </summary>
    public const double TinyPivotRatio = 1.4901161193847656e-8;

    /// <summary>A replaced pivot becomes ±(this + τ)·‖a_i‖₂, as in SPARSKIT's ilut: large enough that U⁻¹ stays bounded, small enough to keep the row's scale.</summary>
    public const double ReplacementPivotRatio = 1e-4;

    /// <summary>The factors of A Q ≈ L U.</summary>
    /// <param name="Factor">L (unit lower, not stored) and U, both in the permuted column numbering.</param>
    /// <param name="ColumnOrder">Column k of the factors is column ColumnOrder[k] of A (Q e_k = e_ColumnOrder[k]); the identity without pivoting.</param>
    /// <param name="ReplacedPivots">How many pivots were zero or tiny and replaced.</param>
    /// <param name="ColumnExchanges">How many rows exchanged their diagonal for a larger entry.</param>
    public sealed record Result(TriangularFactor Factor, int[] ColumnOrder, int ReplacedPivots, int ColumnExchanges);

    /// <summary>Factors <paramref name="a"/>; a pivot tolerance of 0 never exchanges columns (ILUT).</summary>
    /// <param name="a">A square matrix.</param>
    /// <param name="dropTolerance">τ ≥ 0, relative to each row's 2-norm.</param>
    /// <param name="fill">p ≥ 0: the most entries each row of L and of U keeps beyond the diagonal.</param>
    /// <param name="pivotTolerance">t in [0, 1]: exchange the diagonal for the largest U entry u_ij when t·|u_ij| &gt; |u_ii|.</param>
    /// <param name="name">The preconditioner's name in error messages.</param>
    /// <exception cref="ArgumentException">A is not square, has a zero row (it is singular), or holds a value that is not finite.</exception>
    /// <exception cref="ZeroPivotException">A pivot overflowed.</exception>
    public static Result Compute(CsrMatrix a, double dropTolerance, int fill, double pivotTolerance, string name)
    {
        ArgumentNullException.ThrowIfNull(a);
        if (!a.IsSquare) throw new ArgumentException($"{name} needs a square matrix; this one is {a.Rows} x {a.Columns}.", nameof(a));
        int n = a.Rows;
        int[] rowPointers = a.RowPointers, columns = a.ColumnIndices;
        double[] values = a.Values;

        var newOf = new int[n];     // A's column → its position in the factors
        var columnOrder = new int[n];  // position → A's column
        for (int j = 0; j < n; j++) newOf[j] = columnOrder[j] = j;

        var row = new SparseWorkingRow(n);
        var pending = new PriorityQueue<int, int>(n);  // the multipliers' positions (< i), eliminated in increasing order
        var lowerCandidates = new int[n];
        var upperCandidates = new int[n];
        var inverseDiagonal = new double[n];
        var diagonal = new double[n];

        int capacity = Math.Max(a.NonZeros, n);
        var lowerRows = new int[n + 1];
        var lowerColumns = new int[capacity];
        var lowerValues = new double[capacity];
        var upperRows = new int[n + 1];       // off-diagonal U entries only while eliminating
        var upperColumns = new int[capacity]; // A's numbering until the end
        var upperValues = new double[capacity];
        int replaced = 0, exchanges = 0;

        for (int i = 0; i < n; i++)
        {
            double norm = 0;
            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++) norm += values[k] * values[k];
            norm = Math.Sqrt(norm);
            if (!double.IsFinite(norm)) throw new ArgumentException($"{name}: row {i + 1} (counting from 1) of the matrix holds a value that is not finite.", nameof(a));
            if (norm == 0) throw new ArgumentException($"{name}: row {i + 1} (counting from 1) of the matrix is zero, so the matrix is singular.", nameof(a));
            double threshold = dropTolerance * norm;

            for (int k = rowPointers[i]; k < rowPointers[i + 1]; k++)
            {
                row.Add(columns[k], values[k]);
                if (newOf[columns[k]] < i) pending.Enqueue(newOf[columns[k]], newOf[columns[k]]);
            }
            while (pending.TryDequeue(out int k, out _))
            {
                int column = columnOrder[k];
                double multiplier = row[column] * inverseDiagonal[k];
                if (multiplier == 0 || Math.Abs(multiplier) < threshold)
                {
                    row[column] = 0;
                    continue;
                }
                row[column] = multiplier;
                for (int e = upperRows[k]; e < upperRows[k + 1]; e++)
                {
                    int c = upperColumns[e];
                    if (row.Add(c, -multiplier * upperValues[e]) && newOf[c] < i) pending.Enqueue(newOf[c], newOf[c]);
                }
            }

            // Split the row: kept multipliers (positions < i), the diagonal, and U's candidates (positions > i).
            int lowerCount = 0, upperCount = 0;
            int diagonalColumn = columnOrder[i];
            foreach (int c in row.Columns)
            {
                double w = row[c];
                if (c == diagonalColumn || w == 0 || Math.Abs(w) < threshold) continue;
                if (newOf[c] < i) lowerCandidates[lowerCount++] = c;
                else upperCandidates[upperCount++] = c;
            }
            lowerCount = row.KeepLargest(lowerCandidates.AsSpan(0, lowerCount), fill);
            upperCount = row.KeepLargest(upperCandidates.AsSpan(0, upperCount), fill);

            double pivot = row[diagonalColumn];
            if (pivotTolerance > 0 && upperCount > 0)
            {
                int largest = -1;
                double largestMagnitude = 0;
                for (int k = 0; k < upperCount; k++)
                {
                    double magnitude = Math.Abs(row[upperCandidates[k]]);
                    if (magnitude > largestMagnitude)
                    {
                        largestMagnitude = magnitude;
                        largest = k;
                    }
                }
                if (pivotTolerance * largestMagnitude > Math.Abs(pivot))
                {
                    // The largest entry's column takes position i; the old diagonal's column takes its position and
                    // stays in U's row as an ordinary entry (dropped only when it is exactly zero).
                    int chosen = upperCandidates[largest];
                    int from = newOf[chosen];
                    columnOrder[from] = diagonalColumn;
                    newOf[diagonalColumn] = from;
                    columnOrder[i] = chosen;
                    newOf[chosen] = i;
                    if (pivot != 0) upperCandidates[largest] = diagonalColumn;
                    else upperCandidates[largest] = upperCandidates[--upperCount];
                    diagonalColumn = chosen;
                    pivot = row[chosen];
                    exchanges++;
                }
            }
            if (!(Math.Abs(pivot) > TinyPivotRatio * norm))
            {
                if (double.IsNaN(pivot)) throw new ZeroPivotException(name, i, pivot);
                pivot = (pivot < 0 ? -1 : 1) * (ReplacementPivotRatio + dropTolerance) * norm;
                replaced++;
            }
            if (!double.IsFinite(pivot) || !double.IsFinite(1 / pivot)) throw new ZeroPivotException(name, i, pivot);
            diagonal[i] = pivot;
            inverseDiagonal[i] = 1 / pivot;

            Reserve(ref lowerColumns, ref lowerValues, lowerRows[i] + lowerCount);
            var lowerPositions = lowerColumns.AsSpan(lowerRows[i], lowerCount);
            for (int k = 0; k < lowerCount; k++) lowerPositions[k] = newOf[lowerCandidates[k]];
            lowerPositions.Sort();
            for (int k = 0; k < lowerCount; k++) lowerValues[lowerRows[i] + k] = row[columnOrder[lowerPositions[k]]];
            lowerRows[i + 1] = lowerRows[i] + lowerCount;

            Reserve(ref upperColumns, ref upperValues, upperRows[i] + upperCount);
            for (int k = 0; k < upperCount; k++)
            {
                upperColumns[upperRows[i] + k] = upperCandidates[k];
                upperValues[upperRows[i] + k] = row[upperCandidates[k]];
            }
            upperRows[i + 1] = upperRows[i] + upperCount;
            row.Clear();
        }

        Array.Resize(ref lowerColumns, lowerRows[n]);
        Array.Resize(ref lowerValues, lowerRows[n]);
        return new Result(new TriangularFactor(
                new TriangularMatrix(n, isLower: true, hasUnitDiagonal: true, lowerRows, lowerColumns, lowerValues),
                UpperInFinalNumbering(n, upperRows, upperColumns, upperValues, diagonal, newOf)),
            columnOrder, replaced, exchanges);
    }

    /// <summary>U with its diagonal first in each row and its columns renumbered into the factors' order and sorted.</summary>
    private static TriangularMatrix UpperInFinalNumbering(int n, int[] rows, int[] columns, double[] values, double[] diagonal, int[] newOf)
    {
        var finalRows = new int[n + 1];
        for (int i = 0; i < n; i++) finalRows[i + 1] = finalRows[i] + 1 + rows[i + 1] - rows[i];
        var finalColumns = new int[finalRows[n]];
        var finalValues = new double[finalRows[n]];
        for (int i = 0; i < n; i++)
        {
            int at = finalRows[i];
            finalColumns[at] = i;
            finalValues[at] = diagonal[i];
            int count = rows[i + 1] - rows[i];
            var offColumns = finalColumns.AsSpan(at + 1, count);
            var offValues = finalValues.AsSpan(at + 1, count);
            for (int k = 0; k < count; k++)
            {
                offColumns[k] = newOf[columns[rows[i] + k]];
                offValues[k] = values[rows[i] + k];
            }
            offColumns.Sort(offValues);
        }
        return new TriangularMatrix(n, isLower: false, hasUnitDiagonal: false, finalRows, finalColumns, finalValues);
    }

    private static void Reserve(ref int[] columns, ref double[] values, int needed)
    {
        if (needed <= columns.Length) return;
        int size = (int)Math.Min(Array.MaxLength, Math.Max(needed, 2L * columns.Length));
        Array.Resize(ref columns, size);
        Array.Resize(ref values, size);
    }
}
