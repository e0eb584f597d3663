using System.Globalization;

namespace LearnedSolvers.Sequences;

/// <summary>
/// Which members of a generated family a data set holds, and the settings that made them: what lets shards written by
/// independent jobs be checked against each other and joined (<see cref="SequenceDatasetMerge"/>).
/// Stored as the root attributes <c>shard_index</c>, <c>shard_count</c>, <c>global_count</c>, <c>solve_chains</c>
/// and <c>parameters</c>, and the table <c>/global_indices</c> (int32 [count]): a table, not an attribute, because
/// HDF5 keeps attributes in the object header, which holds at most 64 KiB (8k indices) unless dense attribute
/// storage is used, which not every reader supports.
/// </summary>
/// <param name="Shard">Which shard of how many (1/1 for a whole data set, a merged one included).</param>
/// <param name="GlobalCount">Members of the whole family, over all shards.</param>
/// <param name="GlobalIndices">The family index of each stored row, strictly increasing: row i is member GlobalIndices[i].</param>
/// <param name="Parameters">
/// The settings that decide the members and their solutions (grid, seed, perturbation, method, tolerance…), name to
/// value; shards merge only when these agree. Stored as one string "name=value; name=value" in name order.
/// </param>
/// <param name="SolveChains">
/// Independent solve sequences the file's <c>solve_order</c> is cut into: 1 for one run; for a merge of N shards, N,
/// each shard's SKR order over its own members, one after another in shard order (a solve's recycled subspace and
/// warm start come from the previous system of its own chain only).
/// </param>
public sealed record DatasetProvenance(
    DatasetShard Shard,
    int GlobalCount,
    int[] GlobalIndices,
    IReadOnlyDictionary<string, string> Parameters,
    int SolveChains = 1)
{
    /// <summary>A whole data set of <paramref name="count"/> members with the given settings.</summary>
    public static DatasetProvenance Whole(int count, IReadOnlyDictionary<string, string>? parameters = null) =>
        new(DatasetShard.Whole, count, [.. Enumerable.Range(0, count)], parameters ?? new Dictionary<string, string>());

    /// <summary>Shard <paramref name="shard"/> of a family of <paramref name="globalCount"/> members, all of its block stored.</summary>
    public static DatasetProvenance OfShard(DatasetShard shard, int globalCount, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(shard);
        var (start, end) = shard.Members(globalCount);
        return new(shard, globalCount, [.. Enumerable.Range(start, end - start)], parameters);
    }

    /// <summary>The same family and settings holding only <paramref name="rows"/> (indices into this one's rows, increasing): what an interrupted run keeps.</summary>
    public DatasetProvenance Subset(IReadOnlyList<int> rows) => this with { GlobalIndices = [.. rows.Select(r => GlobalIndices[r])] };

    /// <summary>Throws unless the record is consistent with a data set of <paramref name="count"/> rows.</summary>
    /// <exception cref="ArgumentException">A wrong number of indices, indices out of [0, GlobalCount) or not increasing, or a bad parameter name.</exception>
    public void Validate(int count)
    {
        ArgumentNullException.ThrowIfNull(Shard);
        ArgumentNullException.ThrowIfNull(GlobalIndices);
        ArgumentNullException.ThrowIfNull(Parameters);
        if (GlobalIndices.Length != count)
            throw new ArgumentException($"{GlobalIndices.Length} global indices for {count} rows.", nameof(GlobalIndices));
        for (int i = 0; i < count; i++)
            if (GlobalIndices[i] < 0 || GlobalIndices[i] >= GlobalCount || (i > 0 && GlobalIndices[i] <= GlobalIndices[i - 1]))
                throw new ArgumentException($"Global index {GlobalIndices[i]} at row {i}: indices must increase and lie in [0, {GlobalCount}).", nameof(GlobalIndices));
        ArgumentOutOfRangeException.ThrowIfLessThan(SolveChains, 1);
        foreach (var (name, value) in Parameters)
            if (name.Length == 0 || name.Contains('=') || name.Contains(';') || value.Contains(';'))
                throw new ArgumentException($"Parameter '{name}' = '{value}': names must be non-empty without '=' or ';', values without ';'.", nameof(Parameters));
    }

    /// <summary>The <c>parameters</c> attribute: "name=value; name=value" in ordinal name order.</summary>
    public string FormatParameters() =>
        string.Join("; ", Parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));

    /// <summary>Reads the <c>parameters</c> attribute back.</summary>
    /// <exception cref="FormatException">An entry without '='.</exception>
    public static IReadOnlyDictionary<string, string> ParseParameters(string text)
    {
        var parameters = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in text.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int equals = entry.IndexOf('=');
            if (equals <= 0) throw new FormatException($"parameter entry '{entry}' is not name=value");
            parameters[entry[..equals]] = entry[(equals + 1)..];
        }
        return parameters;
    }

    /// <summary>A setting's value as it is stored: invariant culture, round-trippable for doubles.</summary>
    public static string Value(object? value) => value switch
    {
        null => "none",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "none",
    };
}
