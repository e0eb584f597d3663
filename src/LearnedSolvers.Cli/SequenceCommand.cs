using System.CommandLine;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>
/// `learnedsolvers sequence`: what `dataset` does, on systems the user brings: Matrix Market files (a list or a
/// folder) or a data set written by `dataset`. Right-hand sides come from --rhs, else from NAME_b.mtx beside
/// NAME.mtx (the SuiteSparse convention), else b = A·ones.
/// </summary>
internal static class SequenceCommand
{
    /// <summary>The right-hand side that belongs to a matrix file: NAME.mtx → NAME_b.mtx beside it.</summary>
    internal const string RightHandSideSuffix = "_b.mtx";

    public static Command Create(TextWriter output, TextWriter error)
    {
        var matrices = new Option<string>("--matrices")
        {
            Required = true,
            Description = "a text file listing Matrix Market files (one a line, relative to the list's folder), a folder (every *.mtx but *_b.mtx, in name order), or a data set written by `dataset` (.h5)",
        };
        var rhs = new Option<string?>("--rhs") { Description = "a folder or list of Matrix Market vectors, one per matrix in the same order (default: NAME_b.mtx beside NAME.mtx, else b = A * ones)" };
        var outPath = new Option<string>("--out") { Required = true, Description = "HDF5 file to write (the solutions data set)" };

        var solve = new SequenceSolveOptions();

        var command = new Command("sequence", "Solve a sequence of your own systems (all the same size) in SKR or natural order; write an HDF5 data set")
        {
            matrices, rhs, solve.Order, solve.Method, solve.Precond, solve.Restart, solve.Recycle, solve.Rtol, solve.WarmStart, outPath, solve.Baseline, solve.Breakdown,
        };
        command.SetAction(p =>
        {
            if (p.GetValue(solve.Restart) < 1) throw new UsageException($"--restart must be at least 1 (got {p.GetValue(solve.Restart)})");
            if (p.GetValue(solve.Method) == "gcrodr" || p.GetValue(solve.Breakdown)) OptionChecks.Recycle(p.GetValue(solve.Recycle), p.GetValue(solve.Restart));
            OptionChecks.RelativeTolerance("--rtol", p.GetValue(solve.Rtol));
            string source = p.GetValue(matrices)!;
            SequenceRun.Labels stored;
            List<LinearSystem> systems;
            if (IsHdf5(source))
            {
                if (p.GetValue(rhs) is not null) throw new UsageException($"--rhs: the data set {source} stores its own right-hand sides; leave out --rhs");
                (var data, systems) = DatasetSystems.Read(source, "--matrices");
                if (systems.Count == 0) throw new UsageException($"--matrices {source}: the data set holds no systems");
                stored = new SequenceRun.Labels(data.Problem, p.GetValue(solve.Method)!, p.GetValue(solve.Order)!, data.GridSize, data.Dimension);
            }
            else
            {
                var paths = MatrixPaths(source);
                var rhsPaths = p.GetValue(rhs) is { } rhsSource ? VectorPaths(rhsSource, paths.Count) : null;
                int size = CheckSizes(paths, rhsPaths);
                double unknowns = size;
                OptionChecks.Fits(8 * unknowns * (Math.Min(p.GetValue(solve.Restart), unknowns) + 4 * (p.GetValue(solve.Recycle) + 1) + 4), $"--restart {p.GetValue(solve.Restart)} on {unknowns} unknowns");
                systems = Load(paths, rhsPaths);
                stored = new SequenceRun.Labels("matrices", p.GetValue(solve.Method)!, p.GetValue(solve.Order)!, GridSize: 0, Dimension: 0);
            }
            var options = new SequenceSolverOptions
            {
                Method = KrylovSolvers.Parse(p.GetValue(solve.Method)!),
                Preconditioner = PreconditionerRegistry.Get(p.GetValue(solve.Precond)!),
                Restart = p.GetValue(solve.Restart),
                Recycle = p.GetValue(solve.Recycle),
                Solver = new SolverOptions(RelativeTolerance: p.GetValue(solve.Rtol), MaxIterations: 100_000, RecordHistory: false),
                Sort = p.GetValue(solve.Order) == "skr",
                WarmStart = p.GetValue(solve.WarmStart),
                Distance = Distance(systems),
            };
            return SequenceRun.Execute(output, error, systems, options, stored, p.GetValue(outPath)!, p.GetValue(solve.Baseline), p.GetValue(solve.Breakdown));
        });
        return command;
    }

    /// <summary>
    /// What "close" means for these systems: the coefficient fields when a data set stores them (as `dataset` orders);
    /// else the matrices' values, unless every matrix is the same, when only the right-hand sides tell them apart.
    /// </summary>
    internal static SequenceDistance Distance(IReadOnlyList<LinearSystem> systems)
    {
        if (systems.All(s => s.Coefficients is not null)) return SequenceDistance.CoefficientField;
        var first = systems[0].Matrix;
        bool oneMatrix = systems.All(s => ReferenceEquals(s.Matrix, first)
            || (first.HasSamePattern(s.Matrix) && first.Values.AsSpan(0, first.NonZeros).SequenceEqual(s.Matrix.Values.AsSpan(0, first.NonZeros))));
        return oneMatrix ? SequenceDistance.RightHandSide : SequenceDistance.MatrixValues;
    }

    private static bool IsHdf5(string path)
    {
        if (!File.Exists(path)) return false;
        ReadOnlySpan<byte> signature = [0x89, (byte)'H', (byte)'D', (byte)'F', (byte)'\r', (byte)'\n', 0x1a, (byte)'\n'];
        Span<byte> head = stackalloc byte[8];
        using var stream = File.OpenRead(path);
        return stream.ReadAtLeast(head, 8, throwOnEndOfStream: false) == 8 && head.SequenceEqual(signature);
    }

    /// <summary>The matrix files: a folder's *.mtx in ordinal name order (right-hand sides NAME_b.mtx left out), or a list's lines.</summary>
    private static List<string> MatrixPaths(string source)
    {
        List<string> paths;
        if (Directory.Exists(source))
        {
            paths = Directory.GetFiles(source, "*.mtx")
                .Where(f => !f.EndsWith(RightHandSideSuffix, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal).ToList();
            if (paths.Count == 0) throw new UsageException($"--matrices {source}: the folder holds no Matrix Market files (*.mtx)");
            return paths;
        }
        if (!File.Exists(source)) throw new UsageException($"--matrices {source}: no such file or folder");
        paths = ListedPaths(source);
        if (paths.Count == 0) throw new UsageException($"--matrices {source}: the list names no files (one Matrix Market path a line)");
        return paths;
    }

    /// <summary>The right-hand side files given by --rhs, one per matrix.</summary>
    private static List<string> VectorPaths(string source, int count)
    {
        List<string> paths;
        if (Directory.Exists(source)) paths = Directory.GetFiles(source, "*.mtx").Order(StringComparer.Ordinal).ToList();
        else if (File.Exists(source)) paths = ListedPaths(source);
        else throw new UsageException($"--rhs {source}: no such file or folder");
        if (paths.Count != count) throw new UsageException($"--rhs {source} gives {paths.Count} right-hand side(s) for {count} matrices");
        return paths;
    }

    /// <summary>A list file's paths, relative ones taken from the list's folder; blank lines and lines starting with # are skipped.</summary>
    private static List<string> ListedPaths(string list)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(list))!;
        return File.ReadLines(list)
            .Select(line => line.Trim())
            .Where(line => line.Length > 0 && !line.StartsWith('#'))
            .Select(line => Path.GetFullPath(line, folder))
            .ToList();
    }

    /// <summary>Checks every declared size before any file is loaded; returns the common size.</summary>
    private static int CheckSizes(List<string> paths, List<string>? rhsPaths)
    {
        var first = MatrixMarketReader.ReadHeader(paths[0]);
        if (first.Rows != first.Columns) throw new UsageException($"{paths[0]} is {first.Rows} x {first.Columns}; a system needs a square matrix");
        for (int i = 1; i < paths.Count; i++)
        {
            var h = MatrixMarketReader.ReadHeader(paths[i]);
            if (h.Rows != first.Rows || h.Columns != first.Columns)
                throw new UsageException($"{paths[i]} is {h.Rows} x {h.Columns}; {paths[0]} is {first.Rows} x {first.Columns}: every system of a sequence must have the same size");
        }
        for (int i = 0; i < paths.Count; i++)
        {
            string? b = rhsPaths?[i] ?? ImpliedRightHandSide(paths[i]);
            if (b is null) continue;
            var h = MatrixMarketReader.ReadHeader(b);
            if (!(h.Columns == 1 && h.Rows == first.Rows) && !(h.Rows == 1 && h.Columns == first.Rows))
                throw new UsageException($"{b} is {h.Rows} x {h.Columns}; the right-hand side of {paths[i]} must be a vector of {first.Rows} entries");
        }
        return first.Rows;
    }

    private static string? ImpliedRightHandSide(string matrixPath)
    {
        string b = Path.Combine(Path.GetDirectoryName(matrixPath)!, Path.GetFileNameWithoutExtension(matrixPath) + RightHandSideSuffix);
        return File.Exists(b) ? b : null;
    }

    private static List<LinearSystem> Load(List<string> paths, List<string>? rhsPaths)
    {
        var systems = new List<LinearSystem>(paths.Count);
        for (int i = 0; i < paths.Count; i++)
        {
            var a = MatrixMarketReader.ReadMatrix(paths[i]);
            double[] b;
            if ((rhsPaths?[i] ?? ImpliedRightHandSide(paths[i])) is { } bPath) b = MatrixMarketReader.ReadVector(bPath);
            else
            {
                b = new double[a.Rows];
                a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray(), b);
            }
            systems.Add(new LinearSystem(a, b, Path.GetFileName(paths[i])));
        }
        return systems;
    }
}
