namespace LearnedSolvers.Sequences;

/// <summary>
/// Shards that cannot be joined into one data set: of different runs or splits, one shard given twice, or members
/// missing. The message names the files and the setting, shard or global member indices at fault.
/// </summary>
public sealed class DatasetMergeException(string message, IReadOnlyList<int>? missingMembers = null) : Exception(message)
{
    /// <summary>The global member indices no shard holds (empty unless that is what is wrong).</summary>
    public IReadOnlyList<int> MissingMembers { get; } = missingMembers ?? [];
}
