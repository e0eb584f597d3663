using System.CommandLine;
using LearnedSolvers.Sequences;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers dataset merge --out all.h5 SHARD.h5…`: joins the shards `dataset --shard i/N` wrote into one data set
/// (<see cref="SequenceDatasetMerge"/>), rows in global member order; refuses shards of different runs or splits, a
/// shard given twice, and missing members, naming them.
/// </summary>
internal static class DatasetMergeCommand
{
    public static Command Create(TextWriter output)
    {
        var outPath = new Option<string>("--out") { Required = true, Description = "HDF5 file to write: every member, in global index order" };
        var shards = new Argument<string[]>("shards") { Arity = ArgumentArity.OneOrMore, Description = "the shard files (any order), one per shard i/N" };
        var command = new Command("merge", "Join the shards written by 'dataset --shard i/N' into one data set") { outPath, shards };
        command.SetAction(p =>
        {
            var paths = p.GetValue(shards)!;
            DatasetProvenance merged;
            try
            {
                merged = SequenceDatasetMerge.Merge(paths, p.GetValue(outPath)!);
            }
            catch (DatasetMergeException e)
            {
                throw new UsageException($"dataset merge: {e.Message}");
            }
            output.WriteLine($"wrote {p.GetValue(outPath)}: {merged.GlobalCount} members from {paths.Length} shard{(paths.Length == 1 ? "" : "s")} ({merged.SolveChains} solve chain{(merged.SolveChains == 1 ? "" : "s")})");
            return ExitCodes.Success;
        });
        return command;
    }
}
