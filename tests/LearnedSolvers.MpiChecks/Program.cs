using System.Globalization;
using LearnedSolvers.Devices;
using LearnedSolvers.Distributed;
using LearnedSolvers.Distributed.Mpi;
using LearnedSolvers.Krylov;
using LearnedSolvers.MpiChecks;

// Commands (rank 0 prints one line per result; every rank takes part in every call):
//   solve --problem SPEC... --methods m1,m2 [--reductions fast|deterministic]
//   halo --problem SPEC
//   bench --problem SPEC --iterations K
// Every command takes --local-device NAME (a Device.FromName name: cpu, ilgpu-cpu, cuda): each rank's device for its rows.
if (!MpiEnvironment.IsAvailable)
{
    Console.Error.WriteLine($"error: {MpiEnvironment.UnavailableReason}");
    return 2;
}
using var mpi = MpiEnvironment.Start();
var world = mpi.World;
// Which ABI the ranks bound and how many they are: a launcher whose ranks bound another MPI than its own starts each as
// a singleton, which the caller sees as P lines of ranks=1.
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"mpi abi={MpiLibrary.Instance!.Abi} rank={world.Rank} ranks={world.Size}"));
try
{
    var options = Options.Parse(args);
    switch (options.Command)
    {
        case "solve": Commands.Solve(world, options); break;
        case "halo": Commands.Halo(world, options); break;
        case "bench": Commands.Bench(world, options); break;
        default: throw new ArgumentException($"Unknown command '{options.Command}'; expected solve, halo or bench.");
    }
    return 0;
}
catch (Exception e)
{
    // One rank failing would leave the others waiting in a collective: end the whole job.
    Console.Error.WriteLine($"rank {world.Rank}: error: {e}");
    Console.Error.Flush();
    world.Abort(3);
    return 3;
}

/// <summary>The parsed command line.</summary>
internal sealed record Options(string Command, IReadOnlyList<string> Problems, IReadOnlyList<string> Methods, ReductionMode Reductions, int Iterations,
    string LocalDevice)
{
    /// <summary>This rank's device for its rows (created on first use: an ILGPU device compiles its kernels then).</summary>
    public Device Local => Device.FromName(LocalDevice);

    public static Options Parse(string[] args)
    {
        if (args.Length == 0) throw new ArgumentException("A command is needed: solve, halo or bench.");
        var problems = new List<string>();
        var methods = new List<string>();
        var reductions = ReductionMode.Fast;
        int iterations = 100;
        string local = "cpu";
        for (int i = 1; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i++])
            {
                case "--problem": problems.Add(value); break;
                case "--methods": methods.AddRange(value.Split(',')); break;
                case "--reductions": reductions = Enum.Parse<ReductionMode>(value, ignoreCase: true); break;
                case "--iterations": iterations = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--local-device": local = value; break;
                default: throw new ArgumentException($"Unknown option '{args[i - 1]}'.");
            }
        }
        return new Options(args[0], problems, methods, reductions, iterations, local);
    }
}

/// <summary>What each command does on every rank.</summary>
internal static class Commands
{
    public static void Solve(MpiCommunicator world, Options options)
    {
        foreach (var spec in options.Problems)
        {
            var (a, b) = CheckMethods.Problem(spec);
            using var device = new DistributedDevice(world, RowPartition.Balanced(a.Rows, world.Size), options.Local, options.Reductions);
            using var matrix = DistributedCsrMatrix.FromGlobal(device, a);
            using var bd = device.Upload(b);
            using var x = device.Allocate(a.Rows);
            var whole = new double[a.Rows];
            foreach (var method in options.Methods)
            {
                device.Fill(x, 0);
                var solver = CheckMethods.Create(method, matrix, a, device);
                var result = solver.Solve(bd, x);
                (solver as IDisposable)?.Dispose();
                x.CopyTo(whole);
                double trueResidual = CheckMethods.TrueRelativeResidual(a, b, whole);
                if (world.Rank == 0)
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"result problem={spec} method={method} ranks={world.Size} local={device.Local.Name} iterations={result.Iterations} reason={result.Reason} " +
                        $"reported={result.RelativeResidual:R} true={trueResidual:R} x={CheckMethods.BitHash(whole)} history={CheckMethods.BitHash(result.ResidualHistory)}"));
            }
        }
    }

    public static void Halo(MpiCommunicator world, Options options)
    {
        foreach (var spec in options.Problems)
        {
            var (a, b) = CheckMethods.Problem(spec);
            using var device = new DistributedDevice(world, RowPartition.Balanced(a.Rows, world.Size), options.Local, options.Reductions);
            using var matrix = DistributedCsrMatrix.FromGlobal(device, a);
            using var x = device.Upload(b);
            using var y = device.Allocate(a.Rows);
            long messages = world.MessagesSent, bytes = world.BytesSent;
            matrix.Apply(x, y);
            Span<double> totals = [world.MessagesSent - messages, world.BytesSent - bytes, matrix.MessagesPerApply, matrix.BytesPerApply, matrix.ReceiveNeighbours, matrix.GhostCount];
            world.Sum(totals);
            // The product itself is checked against the serial one, so counting messages cannot pass on a wrong exchange.
            var whole = new double[a.Rows];
            y.CopyTo(whole);
            var expected = new double[a.Rows];
            a.Multiply(b, expected);
            double error = 0;
            for (int i = 0; i < whole.Length; i++) error = Math.Max(error, Math.Abs(whole[i] - expected[i]));
            Span<double> allocated = [OperationBytes(device, matrix, x, y), PerIterationBytes(device, matrix, x, y),
                PreconditionedPerIterationBytes(device, matrix, a, x, y, "pcg-block-ic0"), PreconditionedPerIterationBytes(device, matrix, a, x, y, "pcg-chebyshev")];
            world.Sum(allocated);
            if (world.Rank == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"halo problem={spec} ranks={world.Size} local={device.Local.Name} messages={totals[0]} bytes={totals[1]} declared-messages={totals[2]} declared-bytes={totals[3]} " +
                    $"receive-neighbours={totals[4]} ghosts={totals[5]} product-error={error:R} operation-bytes={allocated[0]} cg-bytes-per-iteration={allocated[1]} " +
                    $"block-jacobi-bytes-per-iteration={allocated[2]} chebyshev-bytes-per-iteration={allocated[3]}"));
        }
    }

    /// <summary>Bytes allocated on this thread by warm distributed products, fused products, dots and projections (all collective).</summary>
    private static long OperationBytes(DistributedDevice device, DistributedCsrMatrix matrix, DeviceVector x, DeviceVector y)
    {
        var basis = new[] { x, y };
        var coefficients = new double[2];
        using var scalars = device.AllocateScalars(2);
        matrix.ApplyAndDotTo(x, y, scalars, 0);
        device.MultiDot(basis, 2, y, coefficients);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < 10; k++)
        {
            matrix.Apply(x, y);
            matrix.ApplyAndDot(x, y);
            matrix.ApplyAndDotTo(x, y, scalars, 1);
            device.Dot(x, y);
            device.MultiDot(basis, 2, y, coefficients);
            device.DotTo(x, y, scalars, 0);
        }
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>Warm CG with host and with device scalars: the bytes of a 40-iteration solve less those of a 20-iteration one, per iteration.</summary>
    private static double PerIterationBytes(DistributedDevice device, DistributedCsrMatrix matrix, DeviceVector b, DeviceVector x)
    {
        double total = 0;
        foreach (var placement in new[] { ScalarPlacement.Host, ScalarPlacement.Device })
        {
            long Bytes(int iterations)
            {
                using var solver = new ConjugateGradient(matrix, options: new SolverOptions(RelativeTolerance: 1e-300, MaxIterations: iterations, RecordHistory: false), scalars: placement);
                device.Fill(x, 0);
                solver.Solve(b, x);
                device.Fill(x, 0);
                long before = GC.GetAllocatedBytesForCurrentThread();
                solver.Solve(b, x);
                return GC.GetAllocatedBytesForCurrentThread() - before;
            }
            total += (Bytes(40) - Bytes(20)) / 20.0;
        }
        return total;
    }

    /// <summary>A warm preconditioned CG check method (distributed preconditioner included): the bytes of a 40-iteration solve less those of a 20-iteration one, per iteration.</summary>
    private static double PreconditionedPerIterationBytes(DistributedDevice device, DistributedCsrMatrix matrix, LearnedSolvers.Sparse.CsrMatrix global,
        DeviceVector b, DeviceVector x, string method)
    {
        long Bytes(int iterations)
        {
            var solver = CheckMethods.Create(method, matrix, global, device, new SolverOptions(RelativeTolerance: 1e-300, MaxIterations: iterations, RecordHistory: false));
            device.Fill(x, 0);
            solver.Solve(b, x);
            device.Fill(x, 0);
            long before = GC.GetAllocatedBytesForCurrentThread();
            solver.Solve(b, x);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            (solver as IDisposable)?.Dispose();
            return bytes;
        }
        return (Bytes(40) - Bytes(20)) / 20.0;
    }

    public static void Bench(MpiCommunicator world, Options options)
    {
        Loopback(world);
        foreach (var spec in options.Problems)
        {
            var (a, b) = CheckMethods.Problem(spec);
            using var device = new DistributedDevice(world, RowPartition.Balanced(a.Rows, world.Size), options.Local);
            using var matrix = DistributedCsrMatrix.FromGlobal(device, a);
            using var bd = device.Upload(b);
            using var x = device.Allocate(a.Rows);
            // A tolerance no solve meets: every run does exactly the given number of iterations.
            var fixedCount = new SolverOptions(RelativeTolerance: 1e-300, MaxIterations: options.Iterations, RecordHistory: false);
            using var solver = new ConjugateGradient(matrix, options: fixedCount, scalars: ScalarPlacement.Host);
            solver.Solve(bd, x); // warm-up: JIT, pages, first messages
            double best = double.MaxValue;
            for (int run = 0; run < 3; run++)
            {
                device.Fill(x, 0);
                world.Barrier();
                double start = world.Wtime();
                var result = solver.Solve(bd, x);
                double perIteration = (world.Wtime() - start) / result.Iterations;
                Span<double> slowest = [perIteration];
                // The slowest rank sets the pace; a sum over ranks divided by P would hide imbalance, so take the max by gathering.
                var all = new double[world.Size];
                world.Allgather(slowest, all);
                best = Math.Min(best, all.Max());
            }
            Span<double> halo = [matrix.MessagesPerApply, matrix.BytesPerApply, matrix.BoundaryRowCount];
            world.Sum(halo);
            if (world.Rank == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"bench problem={spec} rows={a.Rows} ranks={world.Size} threads={Environment.ProcessorCount} cg-ms-per-iteration={best * 1e3:F3} " +
                    $"halo-messages-per-apply={halo[0]} halo-bytes-per-apply={halo[1]} boundary-rows={halo[2]}"));
        }
    }

    /// <summary>Allreduce latency on all ranks, and ping-pong latency and bandwidth between ranks 0 and 1.</summary>
    private static unsafe void Loopback(MpiCommunicator world)
    {
        Span<double> one = [1.0];
        for (int i = 0; i < 100; i++) world.Sum(one);
        world.Barrier();
        const int reductions = 2000;
        double start = world.Wtime();
        for (int i = 0; i < reductions; i++) world.Sum(one);
        double allreduce = (world.Wtime() - start) / reductions;
        if (world.Rank == 0) Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"loopback ranks={world.Size} allreduce-1-double-us={allreduce * 1e6:F2}"));
        if (world.Size < 2) return;
        var requests = world.CreateRequests(1);
        foreach (int count in new[] { 1, 1024, 131072, 1048576 })
        {
            var buffer = GC.AllocateArray<double>(count, pinned: true);
            int trips = count >= 131072 ? 20 : 1000;
            world.Barrier();
            start = world.Wtime();
            fixed (double* p = buffer)
            {
                for (int t = 0; t < trips && world.Rank < 2; t++)
                {
                    if (world.Rank == 0)
                    {
                        world.PostSend(p, count, MpiDatatype.Double, 1, 1, requests);
                        world.WaitAll(requests);
                        world.PostReceive(p, count, MpiDatatype.Double, 1, 1, requests);
                        world.WaitAll(requests);
                    }
                    else
                    {
                        world.PostReceive(p, count, MpiDatatype.Double, 0, 1, requests);
                        world.WaitAll(requests);
                        world.PostSend(p, count, MpiDatatype.Double, 0, 1, requests);
                        world.WaitAll(requests);
                    }
                }
            }
            double oneWay = (world.Wtime() - start) / trips / 2;
            if (world.Rank == 0)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"pingpong bytes={count * 8} one-way-us={oneWay * 1e6:F2} bandwidth-GBps={count * 8 / oneWay / 1e9:F3}"));
        }
    }
}
