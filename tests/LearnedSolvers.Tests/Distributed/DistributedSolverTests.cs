using LearnedSolvers.Devices;
using LearnedSolvers.MpiChecks;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// The unmodified Krylov solvers on a row-distributed matrix and vectors, under Open MPI with 1, 2 and 4 ranks and MPICH with 2: the
/// iteration counts of the same solvers on one CPU device (±1: the ranks add their partial sums in another order), and
/// a true residual, recomputed serially from the gathered solution, below the tolerance.
/// </summary>
public sealed class DistributedSolverTests
{
    /// <summary>Methods whose iteration count must match the serial one; BiCGStab's count depends on rounding order (218–231 on ani4), so only its convergence is checked.</summary>
    private static readonly string[] Matched = ["cg", "cg-device-scalars", "pcg-jacobi", "gmres", "gcrodr"];

    private static string[] Problems => ["poisson:32", "mtx:" + SharedMatrices.PathOf("ani4")];

    [Theory]
    [InlineData(1, Launcher.OpenMpi)]
    [InlineData(2, Launcher.OpenMpi)]
    [InlineData(4, Launcher.OpenMpi)]
    [InlineData(2, Launcher.Mpich)]
    public void Solvers_MatchSerialIterations_AndConverge(int ranks, Launcher launcher)
    {
        var arguments = new List<string> { "solve", "--methods", string.Join(',', Matched.Append("bicgstab")) };
        foreach (var p in Problems) arguments.AddRange(["--problem", p]);
        var results = MpiJob.Run(launcher, ranks, "result", [.. arguments]);
        Assert.Equal(Problems.Length * (Matched.Length + 1), results.Count);

        foreach (var problem in Problems)
        {
            var (a, b) = CheckMethods.Problem(problem);
            using var matrix = Device.Cpu.Upload(a);
            using var bd = Device.Cpu.Upload(b);
            using var x = Device.Cpu.Allocate(a.Rows);
            foreach (var result in results.Where(r => r["problem"] == problem))
            {
                string method = result["method"];
                Assert.Equal("ConvergedRelative", result["reason"]);
                Assert.True(result.Number("true") <= CheckMethods.Tolerance, $"{method} on {problem}, {ranks} ranks ({launcher}): true relative residual {result["true"]}");
                if (!Matched.Contains(method)) continue;
                Device.Cpu.Fill(x, 0);
                var solver = CheckMethods.Create(method, matrix, a, Device.Cpu);
                int serial = solver.Solve(bd, x).Iterations;
                (solver as IDisposable)?.Dispose();
                int distributed = (int)result.Number("iterations");
                Assert.True(Math.Abs(distributed - serial) <= 1, $"{method} on {problem}: {distributed} iterations on {ranks} ranks ({launcher}), {serial} serially.");
            }
        }
    }
}
