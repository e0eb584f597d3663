using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Distributed.Mpi;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Cli;

/// <summary>
/// `solve` across the ranks of an MPI job: each rank reads its block of rows from the Matrix Market file, the matrix
/// and the vectors are split by rows (<see cref="DistributedCsrMatrix"/>), the Krylov method runs unchanged on them,
/// and rank 0 alone prints the report and writes the gathered x. A rank that fails prints its error and aborts the
/// whole job (MPI_Abort with the error's exit code), so the others never wait in a collective for it.
/// </summary>
internal static class MpiSolveRunner
{
    /// <summary>
    /// Variables a launcher sets in every rank it starts: Open MPI's mpirun, and Hydra (mpiexec of MPICH, Intel MPI,
    /// MVAPICH) or Slurm's PMI. Either present means `solve` runs across ranks (one rank included).
    /// </summary>
    public static readonly string[] LauncherVariables = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"];

    /// <summary>The methods verified across ranks.</summary>
    public static readonly KrylovMethod[] Methods = [KrylovMethod.Cg, KrylovMethod.Pcg, KrylovMethod.Gmres, KrylovMethod.GcroDr, KrylovMethod.BiCgStab];

    /// <summary>True when this process was started by an MPI launcher (Open MPI's mpirun, MPICH's mpiexec).</summary>
    public static bool IsUnderMpirun => LauncherVariables.Any(v => Environment.GetEnvironmentVariable(v) is { Length: > 0 });

    /// <summary>What one distributed solve needs, checked by `solve` before MPI starts (every rank checks the same arguments).</summary>
    public sealed record Request(string MatrixPath, string? RhsPath, bool AcceptBothTriangles, KrylovMethod Method, IPreconditionerFactory Preconditioner, string PreconditionerLabel,
        SolverOptions Options, int Restart, int Recycle, string? OutPath, string? PlotPath, bool Json, ReductionMode Reductions, string[] Arguments,
        Device Local);

    /// <summary>Starts MPI, solves, finalizes; returns the exit code on every rank, or ends the job from the rank that failed.</summary>
    public static int Run(Request request, TextWriter output, TextWriter error)
    {
        if (!MpiEnvironment.IsAvailable) throw new UsageException($"started by mpirun, but MPI cannot be used: {MpiEnvironment.UnavailableReason}");
        using var mpi = MpiEnvironment.Start();
        var world = mpi.World;
        try
        {
            return Solve(request, world, output);
        }
        catch (Exception e) when (world.Size > 1)
        {
            var message = new StringWriter();
            int code = CliApp.ReportFailure(e, message, request.Arguments);
            foreach (var line in message.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
                error.WriteLine($"rank {world.Rank}: {line.TrimEnd('\r')}");
            error.Flush();
            world.Abort(code);
            return code;
        }
    }

    private static int Solve(Request request, MpiCommunicator world, TextWriter output)
    {
        var clock = Stopwatch.StartNew();
        var header = MatrixMarketReader.ReadHeader(request.MatrixPath);
        using var device = new DistributedDevice(world, RowPartition.Balanced(header.Rows, world.Size), request.Local, request.Reductions);
        var rows = MatrixMarketReader.ReadRows(request.MatrixPath, device.FirstRow, device.LocalRows, request.AcceptBothTriangles);
        using var a = DistributedCsrMatrix.FromLocalRows(device, rows);
        int n = a.Rows;
        using var b = device.Allocate(n);
        if (request.RhsPath is { } rhsPath)
        {
            // The right-hand side is one vector (8 bytes a row) and is read whole on each rank; the matrix is read by rows.
            var columns = MatrixMarketReader.ReadColumns(rhsPath);
            if (columns.Rows != n) throw new UsageException($"{rhsPath} has {columns.Rows} entries; the matrix has {n} rows");
            if (columns.Columns != 1) throw new UsageException($"{rhsPath} holds {columns.Columns} right-hand sides; across MPI ranks solve takes one");
            b.CopyFrom(columns.Values);
        }
        else
        {
            using var ones = device.Allocate(n);
            device.Fill(ones, 1);
            a.Apply(ones, b);
        }

        var m = request.Preconditioner.CreateAcrossRanks(a);
        try
        {
            using var solver = KrylovSolvers.Create(request.Method, a, m, request.Options, request.Restart, request.Recycle);
            using var x = device.Allocate(n);
            double setup = clock.Elapsed.TotalSeconds;
            var result = solver.Solve(b, x);

            // The true residual from the distributed product, apart from the method's own recurrence.
            using var r = device.Allocate(n);
            a.Residual(b, x, r);
            double rr = device.Norm2(r), bb = device.Norm2(b);
            double relative = bb == 0 ? rr : rr / bb;
            long nnz = (long)device.SumAcrossRanks(a.LocalNonZeros);
            double[]? whole = null;
            if (request.OutPath is not null)
            {
                whole = new double[n];
                x.CopyTo(whole); // collective: every rank takes part in the gather
            }
            if (world.Rank != 0) return result.Converged ? ExitCodes.Success : ExitCodes.NotConverged;

            var report = new SolveReport(request.Method.ToString().ToLowerInvariant(), request.PreconditionerLabel, device.Name, n, nnz,
                result.Converged, result.Reason.ToString(), result.Iterations, relative, setup, result.Elapsed.TotalSeconds,
                string.IsNullOrEmpty(result.Message) ? null : result.Message)
            {
                ResidualHistory = result.ResidualHistory,
                Ranks = world.Size,
            };
            if (request.OutPath is { } xPath) MatrixMarketWriter.WriteVector(xPath, whole!);
            if (request.PlotPath is { } plotPath)
                ConvergencePlot.Write(plotPath, [ConvergenceHistory.Points(ComparisonRow.Solved(report))], againstTime: false,
                    $"{report.Method} + {report.Preconditioner}, {report.Rows} unknowns, {world.Size} ranks");
            if (request.Json) output.WriteLine(report.ToJson());
            else
            {
                output.WriteLine($"{report.Method} + {report.Preconditioner} on {report.Device} ({world.Size} MPI ranks): {report.Rows} rows, {report.Nnz} nonzeros");
                output.WriteLine($"{report.Reason} after {report.Iterations} iterations; true relative residual {report.RelativeResidual:E3}");
                output.WriteLine($"setup {report.SetupSeconds * 1e3:F1} ms, solve {report.Seconds * 1e3:F1} ms" + (report.Message is null ? "" : $"; {report.Message}"));
            }
            output.Flush();
            return report.Converged ? ExitCodes.Success : ExitCodes.NotConverged;
        }
        finally
        {
            (m as IDisposable)?.Dispose();
        }
    }

}
