using System.CommandLine;
using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Krylov;
using LearnedSolvers.Learned.Factors;
using LearnedSolvers.Preconditioners.Factories;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>`learnedsolvers solve`: reads A (and b), solves, reports the true residual.</summary>
internal static class SolveCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var matrix = new Option<string>("--matrix") { Required = true, Description = "Matrix Market file with A" };
        var rhs = new Option<string?>("--rhs") { Description = "Matrix Market vector b, or an n x k array of k right-hand sides solved with one setup (default: b = A * ones)" };
        var method = new Option<string>("--method")
        {
            DefaultValueFactory = _ => "cg",
            Description = "cg|pcg|fcg|gmres|fgmres|bicgstab|gcrodr|dcdm|direct|auto (direct: sparse LU or Cholesky; auto: chooses from A's properties and falls back when a method fails)",
        }.AcceptOnlyFromAmong("cg", "pcg", "fcg", "gmres", "fgmres", "bicgstab", "gcrodr", "dcdm", "direct", "auto");
        var model = new Option<string?>("--model") { Description = "dcdm, and --precond neuralpcg|precorrector|learned-fsai: the trained model (.safetensors from 'learnedsolvers train ...')" };
        var grid = new Option<string?>("--grid") { Description = "dcdm: the grid, NxN or NxNxN in the unknowns' C order (default: the square or cube the model's dimension gives)" };
        var precond = new Option<string?>("--precond") { Description = $"{string.Join("|", PreconditionerRegistry.Names)} (default: none; jacobi for pcg)" }
            .AcceptOnlyFromAmong([.. PreconditionerRegistry.Names]);
        var local = new Option<string?>("--local")
        {
            Description = $"--precond block-jacobi: each MPI rank's preconditioner on its diagonal block (default {PreconditionerRegistry.DefaultBlockJacobiLocal})",
        }.AcceptOnlyFromAmong([.. PreconditionerRegistry.Names.Where(n => n is not "none" and not "block-jacobi")]);
        var mgSummary = new Option<bool>("--mg-summary") { Description = "print the multigrid hierarchy (levels, rows, nnz, operator complexity)" };
        var restart = new Option<int>("--restart") { DefaultValueFactory = _ => 30, Description = "GMRES/GCRO-DR restart length m" };
        var recycle = new Option<int>("--recycle") { DefaultValueFactory = _ => 10, Description = "GCRO-DR recycle dimension k (< m)" };
        var shift = new Option<string>("--shift") { DefaultValueFactory = _ => "0", Description = "IC(0) diagonal shift α ≥ 0 (factor A + α·diag(A)), or auto: grow it from 0 until the factorization succeeds" };
        var precision = new Option<string>("--precision")
        {
            DefaultValueFactory = _ => "double",
            Description = "ic0, ilu0, ssor, ilut, ilutp, ict: hold and apply the factor in double or single precision (the iteration stays in double; with single, prefer fgmres to gmres)",
        }.AcceptOnlyFromAmong("double", "single");
        var power = new Option<int>("--power") { DefaultValueFactory = _ => 1, Description = "FSAI pattern: the lower triangle of A^power, 1 to 3" };
        var omega = new Option<double>("--omega") { DefaultValueFactory = _ => 1.0, Description = "SSOR relaxation factor in (0, 2)" };
        var rtol = new Option<double>("--rtol") { DefaultValueFactory = _ => 1e-8, Description = "relative tolerance on ||b-Ax||/||b||" };
        var maxit = new Option<int>("--maxit") { DefaultValueFactory = _ => 10_000, Description = "maximum iterations" };
        var device = new Option<string>("--device") { DefaultValueFactory = _ => "cpu", Description = "cpu|cuda|ilgpu-cpu|auto (auto: cuda when a CUDA GPU is present)" };
        var outPath = new Option<string?>("--out") { Description = "write x as a Matrix Market vector (n x k array for k right-hand sides)" };
        var json = new Option<bool>("--json") { Description = "print one JSON object instead of text" };
        var plot = new Option<string?>("--plot") { Description = "write the relative residual against iteration as a PNG (one right-hand side)" };
        var deterministic = new Option<bool>("--deterministic")
        {
            Description = "under mpirun: add the ranks' partial sums in rank order, so the same number of ranks gives the same bits every run (one process is always deterministic)",
        };
        var bothTriangles = new Option<bool>("--accept-both-triangles") { Description = "read a symmetric file that stores entries in both triangles, mirroring every one (duplicates are summed)" };

        var command = new Command("solve", "Solve A x = b from Matrix Market files")
        {
            matrix, rhs, method, model, grid, precond, local, mgSummary, restart, recycle, shift, precision, power, omega, rtol, maxit, device, outPath, json, plot, bothTriangles, deterministic,
        };
        command.SetAction(p =>
        {
            bool dcdm = p.GetValue(method) == "dcdm";
            bool chosen = p.GetValue(method) is "direct" or "auto";
            var kind = dcdm || chosen ? KrylovMethod.Cg : KrylovSolvers.Parse(p.GetValue(method)!);
            if (chosen && p.GetValue(precond) is { } given)
                throw new UsageException($"--precond {given} applies to Krylov methods; --method {p.GetValue(method)} {(p.GetValue(method) == "direct" ? "factors A exactly" : "chooses its own preconditioners")}");
            string precondName = p.GetValue(precond) ?? (kind == KrylovMethod.Pcg ? "jacobi" : "none");
            bool blockJacobi = precondName == "block-jacobi";
            if (p.GetValue(local) is { } localGiven && !blockJacobi) throw new UsageException($"--local {localGiven} names block Jacobi's per-rank preconditioner; it applies to --precond block-jacobi only");
            string localName = p.GetValue(local) ?? PreconditionerRegistry.DefaultBlockJacobiLocal;
            bool learnedFactor = LearnedFactorModelFile.KindFromName(blockJacobi ? localName : precondName) is not null;
            if (dcdm && learnedFactor) throw new UsageException($"--method dcdm and --precond {precondName} would both read --model; choose one");
            if (dcdm && p.GetValue(model) is null) throw new UsageException("--method dcdm needs --model FILE (train one with 'learnedsolvers train dcdm')");
            if (learnedFactor && p.GetValue(model) is null)
                throw new UsageException($"--precond {precondName} needs --model FILE (train one with 'learnedsolvers train {(blockJacobi ? localName : precondName)}')");
            if (!dcdm && !learnedFactor && p.GetValue(model) is not null)
                throw new UsageException("--model applies to --method dcdm and --precond neuralpcg|precorrector|learned-fsai only");
            if (!dcdm && p.GetValue(grid) is not null) throw new UsageException("--grid applies to --method dcdm only");
            int m = p.GetValue(restart);
            if (m < 1) throw new UsageException($"--restart must be at least 1 (got {m})");
            int k = p.GetValue(recycle);
            if (kind == KrylovMethod.GcroDr) OptionChecks.Recycle(k, m);
            else if (k < 0) throw new UsageException($"--recycle must be at least 0 (got {k})");
            double w = p.GetValue(omega);
            if (!(w > 0 && w < 2)) throw new UsageException($"--omega must lie in (0, 2) (got {w})");
            OptionChecks.RelativeTolerance("--rtol", p.GetValue(rtol));
            if (p.GetValue(maxit) < 0) throw new UsageException($"--maxit must be at least 0 (got {p.GetValue(maxit)})");
            var options = new SolverOptions(RelativeTolerance: p.GetValue(rtol), MaxIterations: p.GetValue(maxit));
            string shiftText = p.GetValue(shift)!.Trim();
            if (!shiftText.Equals("auto", StringComparison.OrdinalIgnoreCase)
                && !(double.TryParse(shiftText, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double alpha) && alpha >= 0 && double.IsFinite(alpha)))
                throw new UsageException($"--shift must be a number ≥ 0 or auto (got {shiftText})");
            IPreconditionerFactory preconditioner;
            try
            {
                preconditioner = PreconditionerRegistry.Get(precondName, new Dictionary<string, string>
                {
                    ["omega"] = w.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                    ["shift"] = shiftText,
                    ["precision"] = p.GetValue(precision)!,
                    ["model"] = learnedFactor ? p.GetValue(model)! : "",
                    ["power"] = p.GetValue(power).ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["local"] = localName,
                });
            }
            catch (ArgumentException e)
            {
                throw new UsageException(e.Message);
            }
            if (MpiSolveRunner.IsUnderMpirun)
                return SolveAcrossRanks(p, kind, preconditioner, blockJacobi ? $"block-jacobi({localName})" : preconditioner.Name, options, m, k, output, error);
            if (blockJacobi)
                throw new UsageException($"--precond block-jacobi splits A into one block per MPI rank: run the solve under mpirun -np P (on one process, --precond {localName} is the same preconditioner)");
            var dev = DeviceFromName(p.GetValue(device)!);
            if (!preconditioner.Supports(dev))
                throw new UsageException($"--precond {preconditioner.Name} runs on {preconditioner.Devices}; --device {dev.Name} is not one of them");

            CheckDeclaredSizes(p.GetValue(matrix)!, p.GetValue(rhs), kind, m, k);
            var a = ReadMatrix(p.GetValue(matrix)!, p.GetValue(bothTriangles));
            if (!a.IsSquare) throw new UsageException($"{p.GetValue(matrix)} is {a.Rows} x {a.Columns}; solve needs a square matrix");
            double[] b;
            if (p.GetValue(rhs) is { } rhsPath)
            {
                var columns = MatrixMarketReader.ReadColumns(rhsPath);
                if (columns.Rows != a.Rows)
                    throw new UsageException(columns.Columns == 1
                        ? $"{rhsPath} has {columns.Rows} entries; the matrix has {a.Rows} rows"
                        : $"{rhsPath} has {columns.Rows} rows; the matrix has {a.Rows}");
                if (columns.Columns == 0) throw new UsageException($"{rhsPath} holds no right-hand side (0 columns)");
                if (columns.Columns > 1 && p.GetValue(plot) is not null) throw new UsageException("--plot plots one solve; give --rhs one column");
                if (columns.Columns > 1 && dcdm) throw new UsageException("--method dcdm solves one right-hand side at a time; give --rhs one column");
                if (chosen) return SolveChosen(p, a, columns, p.GetValue(method)!, options, dev, output);
                if (columns.Columns > 1) return SolveColumns(p, a, columns, kind, preconditioner, options, m, dev, k, output);
                b = columns.Values;
            }
            else
            {
                b = new double[a.Rows];
                a.Multiply(Enumerable.Repeat(1.0, a.Columns).ToArray(), b);
            }

            if (chosen) return SolveChosen(p, a, new DenseColumns(a.Rows, 1, b), p.GetValue(method)!, options, dev, output);
            var x = new double[a.Rows];
            var report = dcdm
                ? SolveRunner.RunDcdm(a, b, x, p.GetValue(model)!, p.GetValue(grid), preconditioner, options, dev)
                : SolveRunner.Run(a, b, x, kind, preconditioner, options, m, dev, recycle: k, hierarchyOut: p.GetValue(mgSummary) ? (p.GetValue(json) ? Console.Error : output) : null);
            if (p.GetValue(outPath) is { } xPath) MatrixMarketWriter.WriteVector(xPath, x);
            if (p.GetValue(plot) is { } plotPath)
                ConvergencePlot.Write(plotPath, [ConvergenceHistory.Points(ComparisonRow.Solved(report))], againstTime: false,
                    $"{report.Method} + {report.Preconditioner}, {report.Rows} unknowns, {report.Device}");
            if (p.GetValue(json)) output.WriteLine(report.ToJson());
            else
            {
                output.WriteLine($"{report.Method} + {report.Preconditioner} on {report.Device}: {report.Rows} rows, {report.Nnz} nonzeros");
                output.WriteLine($"{report.Reason} after {report.Iterations} iterations; true relative residual {report.RelativeResidual:E3}");
                output.WriteLine($"setup {report.SetupSeconds * 1e3:F1} ms, solve {report.Seconds * 1e3:F1} ms" + (report.Message is null ? "" : $"; {report.Message}"));
            }
            return report.Converged ? ExitCodes.Success : ExitCodes.NotConverged;
        });
        return command;
    }

    /// <summary>
    /// What the size lines promise, checked before any data is read or any workspace allocated: a few bytes of file can
    /// declare a billion rows, whose row pointers and vectors alone take gigabytes.
    /// </summary>
    private static void CheckDeclaredSizes(string matrixPath, string? rhsPath, KrylovMethod kind, int restart, int recycle)
    {
        var h = MatrixMarketReader.ReadHeader(matrixPath);
        if (h.Format != MatrixMarketFormat.Coordinate) return; // ReadMatrix says why an array file is refused
        if (h.Rows != h.Columns) throw new UsageException($"{matrixPath} is {h.Rows} x {h.Columns}; solve needs a square matrix");
        // An entry takes at least 4 bytes ("1 1" and a newline), so the file's length bounds what it can hold.
        long length = new FileInfo(matrixPath).Length;
        if (h.Entries > (length + 1) / 4)
            throw new UsageException($"{matrixPath} declares {h.Entries} entries, but its {length} bytes hold at most {(length + 1) / 4}; the file looks truncated");
        // Symmetric storage mirrors each off-diagonal entry, so it can fill two rows.
        long reach = h.Symmetry == MatrixMarketSymmetry.General ? h.Entries : 2 * h.Entries;
        // Small files are read first, so that a malformed line is reported by its number; from a million rows on, the
        // row pointers and vectors an empty-rowed matrix would take are refused from the size line.
        if (h.Rows > reach && h.Rows > 1 << 20)
            throw new UsageException($"{matrixPath} declares {h.Rows} x {h.Columns} but only {h.Entries} {(h.Entries == 1 ? "entry" : "entries")}, so at least {h.Rows - reach} rows are empty: "
                + "the matrix is singular and cannot be solved");
        if (rhsPath is not null)
        {
            var r = MatrixMarketReader.ReadHeader(rhsPath);
            bool vector = r.Rows == 1 || r.Columns == 1;
            int rows = r.Rows == 1 && r.Columns != 1 ? r.Columns : r.Rows;
            if (rows != h.Rows)
                throw new UsageException(vector ? $"{rhsPath} has {rows} entries; the matrix has {h.Rows} rows" : $"{rhsPath} has {rows} rows; the matrix has {h.Rows}");
        }
        // The Krylov basis: min(m, n) + 1 vectors of n doubles (twice that for flexible GMRES), 4 (k + 1) more for GCRO-DR.
        double n = h.Rows, m = Math.Min(restart, h.Rows);
        double vectors = kind switch
        {
            KrylovMethod.Fgmres => 2 * (m + 1),
            KrylovMethod.GcroDr => m + 1 + 4 * (Math.Min(recycle, m) + 1) + 2,
            KrylovMethod.Gmres => m + 1,
            _ => 0,
        };
        OptionChecks.Fits(8 * n * (vectors + 6) + 8 * m * m + 16 * h.Entries + 4 * n, $"--restart {restart} on {h.Rows} unknowns");
    }

    private static CsrMatrix ReadMatrix(string path, bool acceptBothTriangles)
    {
        try
        {
            return MatrixMarketReader.ReadMatrix(path, acceptBothTriangles);
        }
        catch (MatrixMarketException e) when (!acceptBothTriangles && e.Detail.EndsWith("or accept both triangles", StringComparison.Ordinal))
        {
            throw new UsageException(e.Message + " with --accept-both-triangles");
        }
    }

    /// <summary>
    /// Under mpirun: the options the distributed solve does not take are refused here, before MPI starts, so that every
    /// rank refuses the same arguments in the same way; then <see cref="MpiSolveRunner"/> solves across the ranks.
    /// </summary>
    private static int SolveAcrossRanks(ParseResult p, KrylovMethod kind, IPreconditionerFactory preconditioner, string label, SolverOptions options,
        int restart, int recycle, TextWriter output, TextWriter error)
    {
        string method = p.GetValue<string>("--method")!;
        if (!MpiSolveRunner.Methods.Contains(kind) || method is "dcdm" or "direct" or "auto")
            throw new UsageException($"--method {method} does not run across MPI ranks; use cg, pcg, gmres, gcrodr or bicgstab");
        if (!preconditioner.WorksAcrossRanks())
            throw new UsageException($"--precond {preconditioner.Name} needs the whole matrix on one process; across MPI ranks use --precond block-jacobi --local {preconditioner.Name} "
                + "(or none, jacobi, chebyshev)");
        if (p.GetValue<bool>("--mg-summary")) throw new UsageException("--mg-summary prints one process's multigrid hierarchy; it does not apply across MPI ranks");
        CheckDeclaredSizes(p.GetValue<string>("--matrix")!, p.GetValue<string?>("--rhs"), kind, restart, recycle);
        var request = new MpiSolveRunner.Request(p.GetValue<string>("--matrix")!, p.GetValue<string?>("--rhs"), p.GetValue<bool>("--accept-both-triangles"),
            kind, preconditioner, label, options, restart, recycle, p.GetValue<string?>("--out"), p.GetValue<string?>("--plot"), p.GetValue<bool>("--json"),
            p.GetValue<bool>("--deterministic") ? ReductionMode.Deterministic : ReductionMode.Fast, p.Tokens.Select(t => t.Value).ToArray(),
            // Resolved before MPI starts, so that every rank refuses an unknown or missing device the same way.
            DeviceFromName(p.GetValue<string>("--device") ?? "cpu"));
        return MpiSolveRunner.Run(request, output, error);
    }

    /// <summary>k right-hand sides: one line per column (or a JSON array of per-column reports) and the solutions as an n x k array.</summary>
    private static int SolveColumns(ParseResult p, CsrMatrix a, DenseColumns b, KrylovMethod kind, IPreconditionerFactory preconditioner,
        SolverOptions options, int restart, Device device, int recycle, TextWriter output)
    {
        var x = new DenseColumns(b.Rows, b.Columns, new double[b.Values.Length]);
        var reports = SolveRunner.RunColumns(a, b, x, kind, preconditioner, options, restart, device, recycle);
        if (p.GetValue<string?>("--out") is { } xPath) MatrixMarketWriter.WriteColumns(xPath, x);
        if (p.GetValue<bool>("--json")) output.WriteLine("[" + string.Join(",", reports.Select(r => r.ToJson())) + "]");
        else
        {
            var first = reports[0];
            output.WriteLine($"{first.Method} + {first.Preconditioner} on {first.Device}: {first.Rows} rows, {first.Nnz} nonzeros, {reports.Count} right-hand sides");
            for (int j = 0; j < reports.Count; j++)
                output.WriteLine($"column {j + 1}: {reports[j].Reason} after {reports[j].Iterations} iterations; true relative residual {reports[j].RelativeResidual:E3}"
                    + (reports[j].Message is null ? "" : $"; {reports[j].Message}"));
            output.WriteLine($"{reports.Count(r => r.Converged)} of {reports.Count} converged; setup {first.SetupSeconds * 1e3:F1} ms, solve {first.Seconds * 1e3:F1} ms");
        }
        return reports.All(r => r.Converged) ? ExitCodes.Success : ExitCodes.NotConverged;
    }

    /// <summary>`--method direct|auto`: one setup for every column; auto's attempts are listed under the result.</summary>
    private static int SolveChosen(ParseResult p, CsrMatrix a, DenseColumns b, string methodName, SolverOptions options, Device device, TextWriter output)
    {
        var x = new DenseColumns(b.Rows, b.Columns, new double[b.Values.Length]);
        var reports = SolveRunner.RunChosen(a, b, x, methodName, options, device);
        if (p.GetValue<string?>("--out") is { } xPath)
        {
            if (b.Columns == 1) MatrixMarketWriter.WriteVector(xPath, x.Values);
            else MatrixMarketWriter.WriteColumns(xPath, x);
        }
        if (p.GetValue<string?>("--plot") is { } plotPath)
            ConvergencePlot.Write(plotPath, [ConvergenceHistory.Points(ComparisonRow.Solved(reports[0]))], againstTime: false,
                $"{methodName} ({reports[0].Preconditioner}), {a.Rows} unknowns, {device.Name}");
        if (p.GetValue<bool>("--json")) output.WriteLine(b.Columns == 1 ? reports[0].ToJson() : "[" + string.Join(",", reports.Select(r => r.ToJson())) + "]");
        else
        {
            var first = reports[0];
            output.WriteLine($"{methodName} ({first.Preconditioner}) on {first.Device}: {first.Rows} rows, {first.Nnz} nonzeros"
                + (b.Columns > 1 ? $", {b.Columns} right-hand sides" : ""));
            for (int j = 0; j < reports.Count; j++)
            {
                var r = reports[j];
                if (r.Attempts is { } attempts)
                    foreach (var attempt in attempts) output.WriteLine($"  tried {attempt}");
                output.WriteLine((b.Columns > 1 ? $"column {j + 1}: " : "") + $"{r.Reason} after {r.Iterations} iterations; true relative residual {r.RelativeResidual:E3}"
                    + (r.Attempts is null && r.Message is not null ? $"; {r.Message}" : ""));
            }
            output.WriteLine($"setup {first.SetupSeconds * 1e3:F1} ms, solve {reports.Sum(r => r.Seconds) * 1e3:F1} ms");
        }
        return reports.All(r => r.Converged) ? ExitCodes.Success : ExitCodes.NotConverged;
    }

    internal static Device DeviceFromName(string name)
    {
        try
        {
            return Device.FromName(name);
        }
        catch (DeviceUnavailableException e)
        {
            throw new UsageException($"device '{name}' is not available: {e.Message}");
        }
        catch (ArgumentException e)
        {
            throw new UsageException(e.Message);
        }
    }
}
