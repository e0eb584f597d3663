using System.CommandLine;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers dataset`: generates a family of related systems, solves them in SKR or natural order with GCRO-DR
/// (recycling) or GMRES, writes fields, right-hand sides and solutions to HDF5, and prints a summary, optionally
/// against a GMRES(m) baseline in natural order run in the same process. With `--shard i/N` it writes only shard i's
/// block of members (<see cref="DatasetShard"/>), each member identical to the unsharded run's, ordered and solved on
/// its own; `dataset merge` (<see cref="DatasetMergeCommand"/>) joins the shards.
/// </summary>
internal static class DatasetCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var problem = new Option<string>("--problem") { Required = true, Description = "diffusion|darcy|poisson|convdiff" }
            .AcceptOnlyFromAmong("diffusion", "darcy", "poisson", "convdiff");
        var count = new Option<int>("--count") { Required = true, Description = "number of systems" };
        var n = new Option<int>("--n") { Required = true, Description = "grid cells per side" };
        var contrast = new Option<double?>("--contrast") { Description = "diffusion: max k / min k of every field" };
        var perturbation = new Option<double>("--perturbation") { DefaultValueFactory = _ => 0.3, Description = "diffusion/darcy: relative size of each member's field perturbation (0..1)" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "random seed" };
        var outPath = new Option<string>("--out") { Required = true, Description = "HDF5 file to write" };
        var shard = new Option<string>("--shard") { Description = "i/N: write only shard i of N (1-based: 1/N .. N/N), a contiguous block of members; join the shards with 'dataset merge'" };

        var solve = new SequenceSolveOptions();

        var command = new Command("dataset", "Generate and solve a sequence of related systems; write an HDF5 data set")
        {
            problem, count, n, contrast, perturbation, seed, solve.Order, solve.Method, solve.Precond, solve.Restart, solve.Recycle, solve.Rtol, solve.WarmStart, outPath, shard, solve.Baseline, solve.Breakdown,
            DatasetMergeCommand.Create(output),
        };
        command.SetAction(p =>
        {
            int members = p.GetValue(count);
            if (members < 1) throw new UsageException($"--count must be at least 1 (got {members})");
            if (p.GetValue(solve.Restart) < 1) throw new UsageException($"--restart must be at least 1 (got {p.GetValue(solve.Restart)})");
            if (p.GetValue(solve.Method) == "gcrodr" || p.GetValue(solve.Breakdown)) OptionChecks.Recycle(p.GetValue(solve.Recycle), p.GetValue(solve.Restart));
            OptionChecks.RelativeTolerance("--rtol", p.GetValue(solve.Rtol));
            OptionChecks.Contrast("--contrast", p.GetValue(contrast));
            double eps = p.GetValue(perturbation);
            if (!(eps >= 0 && eps <= 1)) throw new UsageException($"--perturbation must lie in [0, 1] (got {eps})");
            // Every member is kept (matrix, right-hand side, solution, field) until the sequence is ordered and solved,
            // so the count is checked against memory before the first one is generated; the basis on top of that.
            var part = p.GetValue(shard) is { } text ? OptionChecks.Shard("--shard", text, "--count", members) : DatasetShard.Whole;
            var (start, end) = part.Members(members);
            OptionChecks.Grid("--n", p.GetValue(n), dimensions: 2, systems: end - start);
            double unknowns = (double)p.GetValue(n) * p.GetValue(n);
            OptionChecks.Fits(8 * unknowns * (Math.Min(p.GetValue(solve.Restart), unknowns) + 4 * (p.GetValue(solve.Recycle) + 1) + 4), $"--restart {p.GetValue(solve.Restart)} on {unknowns} unknowns");
            var solverOptions = new SolverOptions(RelativeTolerance: p.GetValue(solve.Rtol), MaxIterations: 100_000, RecordHistory: false);
            string problemName = p.GetValue(problem)!;
            var systems = Family(problemName, p.GetValue(n), members, p.GetValue(contrast), p.GetValue(perturbation), p.GetValue(seed), start..end).ToList();
            // Everything that decides the members or their solutions: shards merge only when all of it agrees.
            var parameters = new Dictionary<string, string>
            {
                ["count"] = DatasetProvenance.Value(members),
                ["n"] = DatasetProvenance.Value(p.GetValue(n)),
                ["contrast"] = DatasetProvenance.Value(p.GetValue(contrast)),
                ["perturbation"] = DatasetProvenance.Value(eps),
                ["seed"] = DatasetProvenance.Value(p.GetValue(seed)),
                ["order"] = p.GetValue(solve.Order)!,
                ["method"] = p.GetValue(solve.Method)!,
                ["precond"] = p.GetValue(solve.Precond)!,
                ["restart"] = DatasetProvenance.Value(p.GetValue(solve.Restart)),
                ["recycle"] = DatasetProvenance.Value(p.GetValue(solve.Recycle)),
                ["rtol"] = DatasetProvenance.Value(p.GetValue(solve.Rtol)),
                ["warm-start"] = DatasetProvenance.Value(p.GetValue(solve.WarmStart)),
            };
            var provenance = DatasetProvenance.OfShard(part, members, parameters);
            var options = new SequenceSolverOptions
            {
                Method = KrylovSolvers.Parse(p.GetValue(solve.Method)!),
                Preconditioner = PreconditionerRegistry.Get(p.GetValue(solve.Precond)!),
                Restart = p.GetValue(solve.Restart),
                Recycle = p.GetValue(solve.Recycle),
                Solver = solverOptions,
                Sort = p.GetValue(solve.Order) == "skr",
                WarmStart = p.GetValue(solve.WarmStart),
                Distance = systems[0].Coefficients is null ? SequenceDistance.RightHandSide : SequenceDistance.CoefficientField,
            };

            var first = systems[0];
            var stored = new SequenceRun.Labels(problemName, p.GetValue(solve.Method)!, p.GetValue(solve.Order)!, first.GridSize, first.Dimension);
            return SequenceRun.Execute(output, error, systems, options, stored, p.GetValue(outPath)!, p.GetValue(solve.Baseline), p.GetValue(solve.Breakdown), provenance);
        });
        return command;
    }

    /// <summary>The related systems of one problem family (shared pattern, perturbed coefficients or right-hand sides).</summary>
    internal static IEnumerable<LinearSystem> Family(string problem, int n, int count, double? contrast, double perturbation, int seed) =>
        Family(problem, n, count, contrast, perturbation, seed, Range.All);

    /// <summary>
    /// The members <paramref name="members"/> of the family of <paramref name="count"/>, each identical to that member of
    /// the whole family: a member depends on its global index and the seed only (diffusion and darcy members are the
    /// i-th draws of one stream, so earlier draws are made and discarded; convdiff's Péclet numbers are shuffled over
    /// the whole family before the block is taken).
    /// </summary>
    internal static IEnumerable<LinearSystem> Family(string problem, int n, int count, double? contrast, double perturbation, int seed, Range members)
    {
        if (contrast is not null && problem != "diffusion") throw new UsageException("--contrast applies to --problem diffusion only");
        return problem switch
        {
            "diffusion" => ParametricFamily.Diffusion(new DiffusionOptions { GridSize = n, TargetContrast = contrast, Seed = seed }, count, perturbation, seed + 1, FamilyPath.RandomPerturbation, members),
            "darcy" => ParametricFamily.Diffusion(DiffusionOptions.SkrDarcy(n, seed), count, perturbation, seed + 1, FamilyPath.RandomPerturbation, members),
            "poisson" => ParametricFamily.RightHandSides(Poisson.TwoD(n), count, seed, members),
            // Péclet numbers from 1 to 100 in a shuffled order, so that sorting has something to find.
            "convdiff" => ParametricFamily.ConvectionDiffusion(new ConvectionDiffusionOptions { GridSize = n, Seed = seed },
                Enumerable.Range(0, count).Select(i => 1 + 99.0 * i / Math.Max(1, count - 1)).ToArray().Shuffled(seed)[members]),
            _ => throw new UsageException($"unknown problem '{problem}'"),
        };
    }

    private static double[] Shuffled(this double[] values, int seed)
    {
        new Random(seed).Shuffle(values);
        return values;
    }
}
