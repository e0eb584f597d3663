using System.CommandLine;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>`learnedsolvers generate`: writes a generated problem as Matrix Market files.</summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter output)
    {
        var problem = new Option<string>("--problem") { Required = true, Description = "poisson2d|poisson3d|diffusion|convdiff" }
            .AcceptOnlyFromAmong("poisson2d", "poisson3d", "diffusion", "convdiff");
        var n = new Option<int>("--n") { Required = true, Description = "grid points (cells) per side" };
        var contrast = new Option<double?>("--contrast") { Description = "diffusion: max k / min k of the coefficient field (exact; up to 1e6)" };
        var discontinuous = new Option<bool>("--discontinuous") { Description = "diffusion: two-valued field k in {1, contrast}, split at the field's median" };
        var peclet = new Option<double>("--peclet") { DefaultValueFactory = _ => 100, Description = "convdiff: global Peclet number |w|/eps" };
        var seed = new Option<int>("--seed") { DefaultValueFactory = _ => 0, Description = "random seed (diffusion field, right-hand sides)" };
        var outPath = new Option<string>("--out") { Required = true, Description = "Matrix Market file for A" };
        var rhsOut = new Option<string?>("--rhs-out") { Description = "Matrix Market file for b" };

        var command = new Command("generate", "Generate a test problem and write it as Matrix Market")
        {
            problem, n, contrast, discontinuous, peclet, seed, outPath, rhsOut,
        };
        command.SetAction(p =>
        {
            var system = Build(p.GetValue(problem)!, p.GetValue(n), p.GetValue(contrast), p.GetValue(discontinuous), p.GetValue(peclet), p.GetValue(seed));
            var a = system.Matrix;
            // Symmetric problems are written as one triangle: half the file, and the banner tells readers it is symmetric.
            // Both files are written to temporary names first and renamed only when both are whole: a failed write
            // leaves neither new file.
            string aPath = p.GetValue(outPath)!, aTemporary = AtomicFile.TemporaryPath(aPath);
            string? bPath = p.GetValue(rhsOut), bTemporary = bPath is null ? null : AtomicFile.TemporaryPath(bPath);
            try
            {
                MatrixMarketWriter.WriteMatrix(aTemporary, a, asSymmetric: a.IsSymmetric());
                if (bTemporary is not null) MatrixMarketWriter.WriteVector(bTemporary, system.RightHandSide);
                if (bTemporary is not null) AtomicFile.Commit(bTemporary, bPath!);
                AtomicFile.Commit(aTemporary, aPath);
            }
            finally
            {
                AtomicFile.Discard(aTemporary);
                if (bTemporary is not null) AtomicFile.Discard(bTemporary);
            }
            output.WriteLine($"{system.Description}: {a.Rows} rows, {a.NonZeros} nonzeros -> {p.GetValue(outPath)}");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static LinearSystem Build(string problem, int n, double? contrast, bool discontinuous, double peclet, int seed)
    {
        // Sizes, contrasts and Peclet numbers are checked by the generators themselves (ArgumentException -> exit 2).
        if ((contrast is not null || discontinuous) && problem != "diffusion") throw new UsageException("--contrast and --discontinuous apply to --problem diffusion only");
        OptionChecks.Contrast("--contrast", contrast);
        if (problem == "convdiff") OptionChecks.FiniteAtLeast("--peclet", peclet, 0);
        OptionChecks.Grid("--n", n, problem == "poisson3d" ? 3 : 2);
        return problem switch
        {
            "poisson2d" => Poisson.TwoD(n),
            "poisson3d" => Poisson.ThreeD(n),
            "diffusion" => Diffusion.Generate(new DiffusionOptions
            {
                GridSize = n,
                TargetContrast = contrast,
                Discontinuous = discontinuous,
                Seed = seed,
            }),
            "convdiff" => ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = n, Peclet = peclet, Seed = seed }),
            _ => throw new UsageException($"unknown problem '{problem}'"),
        };
    }
}
