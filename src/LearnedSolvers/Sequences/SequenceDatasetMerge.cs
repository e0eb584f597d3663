using System.Globalization;

namespace LearnedSolvers.Sequences;

/// <summary>
/// Joins the shards of one data set (<see cref="DatasetShard"/>), written by independent jobs, into the data set the
/// unsharded run writes: one row per family member in global index order, so that row i holds member i's coefficient
/// field and right-hand side bit for bit as the unsharded file does.
/// </summary>
/// <remarks>
/// What a merge cannot reproduce is how the members were solved: each shard ordered (SKR) and solved its own members
/// as one chain, recycling and warm-starting within it. The merged <c>solve_order</c> is those chains one after another
/// in shard order (<see cref="DatasetProvenance.SolveChains"/> says how many), the true record of how each solution
/// was reached; re-running SKR over the union would record an order nobody solved in. Solutions therefore agree with
/// the unsharded run's to the solver's tolerance (amplified by the condition number), not bit for bit, except the
/// first member of the first shard, which both runs solve first from zero.
/// <para>
/// Every shard is read twice: once to check all of them against each other before anything is written, once to copy
/// its rows; memory holds one shard at a time, never the union. The output is written whole or not at all.
/// </para>
/// </remarks>
public static class SequenceDatasetMerge
{
    /// <summary>Checks <paramref name="shardPaths"/> against each other and writes their union to <paramref name="outPath"/>.</summary>
    /// <returns>The merged file's provenance.</returns>
    /// <exception cref="DatasetMergeException">Shards of different problems, settings, grids or splits; a shard given twice; members missing.</exception>
    /// <exception cref="DatasetFormatException">A file that is not a data set, or is corrupt.</exception>
    public static DatasetProvenance Merge(IReadOnlyList<string> shardPaths, string outPath)
    {
        ArgumentNullException.ThrowIfNull(shardPaths);
        ArgumentNullException.ThrowIfNull(outPath);
        if (shardPaths.Count == 0) throw new DatasetMergeException("no shards to merge");

        var shards = new List<(string Path, SequenceDataset Header)>();
        foreach (var path in shardPaths)
        {
            var data = Header(SequenceDataset.Read(path));
            if (shards.Count > 0) CheckSameRun(shards[0].Path, shards[0].Header, path, data);
            var (start, end) = data.Provenance.Shard.Members(data.Provenance.GlobalCount);
            if (data.Provenance.GlobalIndices.Any(g => g < start || g >= end))
                throw new DatasetFormatException(path, $"holds members outside shard {data.Provenance.Shard}'s block [{start}, {end})");
            var twin = shards.FirstOrDefault(s => s.Header.Provenance.Shard.Index == data.Provenance.Shard.Index);
            if (twin.Path is not null)
                throw new DatasetMergeException($"{twin.Path} and {path} are both shard {data.Provenance.Shard}: each shard must be given once");
            shards.Add((path, data));
        }

        var first = shards[0].Header;
        int total = first.Provenance.GlobalCount;
        var held = new bool[total];
        foreach (var (_, header) in shards)
            foreach (int g in header.Provenance.GlobalIndices) held[g] = true;
        var missing = Enumerable.Range(0, total).Where(g => !held[g]).ToList();
        if (missing.Count > 0)
        {
            var absent = Enumerable.Range(1, first.Provenance.Shard.Count).Where(i => shards.All(s => s.Header.Provenance.Shard.Index != i)).ToList();
            string which = absent.Count > 0
                ? $" (no file is shard {string.Join(", ", absent.Select(i => $"{i}/{first.Provenance.Shard.Count}"))})"
                : " (a shard was cut short by an interruption)";
            throw new DatasetMergeException($"global members {Ranges(missing)} of {total} are missing{which}", missing);
        }

        var merged = new DatasetProvenance(DatasetShard.Whole, total, [.. Enumerable.Range(0, total)], first.Provenance.Parameters,
            shards.Sum(s => s.Header.Provenance.SolveChains));
        int coefficientLength = first.Coefficients?.GetLength(1) ?? 0;
        using var writer = new SequenceDatasetWriter(outPath, total, first.Unknowns, coefficientLength, first.Problem, first.Method, first.Order,
            first.GridSize, first.Dimension, first.RelativeTolerance, merged);
        foreach (var (path, header) in shards.OrderBy(s => s.Header.Provenance.Shard.Index))
        {
            var data = SequenceDataset.Read(path);
            if (!data.Provenance.GlobalIndices.SequenceEqual(header.Provenance.GlobalIndices))
                throw new DatasetFormatException(path, "changed while the shards were being merged");
            foreach (int row in data.SolveOrder)
                writer.Write(data.Provenance.GlobalIndices[row], Row(data.RightHandSides, row), Row(data.Solutions, row),
                    data.Coefficients is null ? null : Row(data.Coefficients, row), data.Iterations[row], data.RelativeResiduals[row]);
        }
        return merged;
    }

    /// <summary>The data set without its rows, so that checking every shard first holds only one shard's rows at a time.</summary>
    private static SequenceDataset Header(SequenceDataset data) => data with
    {
        Coefficients = data.Coefficients is null ? null : new double[0, data.Coefficients.GetLength(1)],
        RightHandSides = new double[0, data.Unknowns],
        Solutions = new double[0, data.Unknowns],
        SolveOrder = [],
        Iterations = [],
        RelativeResiduals = [],
    };

    private static void CheckSameRun(string firstPath, SequenceDataset first, string path, SequenceDataset data)
    {
        void Same<T>(string what, T a, T b)
        {
            if (!EqualityComparer<T>.Default.Equals(a, b))
                throw new DatasetMergeException($"{path} has {what} {Show(b)} but {firstPath} has {Show(a)}: shards of different runs cannot be merged");
        }
        Same("problem", first.Problem, data.Problem);
        Same("grid size", first.GridSize, data.GridSize);
        Same("dimension", first.Dimension, data.Dimension);
        Same("unknowns per system", first.Unknowns, data.Unknowns);
        Same("coefficient length", first.Coefficients?.GetLength(1) ?? 0, data.Coefficients?.GetLength(1) ?? 0);
        Same("method", first.Method, data.Method);
        Same("order", first.Order, data.Order);
        Same("relative tolerance", first.RelativeTolerance, data.RelativeTolerance);
        if (data.Provenance.Shard.Count != first.Provenance.Shard.Count)
            throw new DatasetMergeException($"{path} is shard {data.Provenance.Shard} but {firstPath} is shard {first.Provenance.Shard}: shards of different splits (N = {data.Provenance.Shard.Count} and {first.Provenance.Shard.Count}) cannot be merged");
        Same("global count", first.Provenance.GlobalCount, data.Provenance.GlobalCount);
        var names = first.Provenance.Parameters.Keys.Union(data.Provenance.Parameters.Keys).Order(StringComparer.Ordinal);
        var differing = names.Where(n => first.Provenance.Parameters.GetValueOrDefault(n) != data.Provenance.Parameters.GetValueOrDefault(n)).ToList();
        if (differing.Count > 0)
            throw new DatasetMergeException($"{path} and {firstPath} differ in {string.Join(", ", differing.Select(n => $"{n} ({data.Provenance.Parameters.GetValueOrDefault(n) ?? "unset"} and {first.Provenance.Parameters.GetValueOrDefault(n) ?? "unset"})"))}: shards of different runs cannot be merged");
    }

    private static string Show<T>(T value) => value switch
    {
        string s => $"'{s}'",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value?.ToString() ?? "none",
    };

    /// <summary>"2-3, 7" for [2, 3, 7].</summary>
    private static string Ranges(List<int> sorted)
    {
        var parts = new List<string>();
        for (int i = 0; i < sorted.Count;)
        {
            int j = i;
            while (j + 1 < sorted.Count && sorted[j + 1] == sorted[j] + 1) j++;
            parts.Add(i == j ? $"{sorted[i]}" : $"{sorted[i]}-{sorted[j]}");
            i = j + 1;
        }
        return string.Join(", ", parts);
    }

    private static double[] Row(double[,] values, int i)
    {
        var row = new double[values.GetLength(1)];
        for (int j = 0; j < row.Length; j++) row[j] = values[i, j];
        return row;
    }
}
