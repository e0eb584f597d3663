using LearnedSolvers.Devices;
using LearnedSolvers.MpiChecks;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Distributed;

/// <summary>
/// Preconditioners across ranks under Open MPI with 1, 2 and 4 ranks and MPICH with 2, on 2D Poisson and ani4: PCG with block Jacobi
/// (IC(0) blocks) and GMRES(30) with block Jacobi (ILU(0) blocks) reach a true residual below 1e-8; with one rank,
/// where the one block is the whole matrix, they take exactly the serial IC(0)/ILU(0) solve's iterations, and with
/// more ranks at most twice as many (the couplings the blocks drop cost iterations, moderately at these sizes).
/// Chebyshev, a global polynomial built from the distributed product, takes the serial count (±1) at every P.
/// </summary>
public sealed class DistributedPreconditionerTests
{
    private static readonly string[] BlockJacobi = ["pcg-block-ic0", "gmres-block-ilu0"];

    private static string[] Problems => ["poisson:32", "mtx:" + SharedMatrices.PathOf("ani4")];

    [Theory]
    [InlineData(1, Launcher.OpenMpi)]
    [InlineData(2, Launcher.OpenMpi)]
    [InlineData(4, Launcher.OpenMpi)]
    [InlineData(2, Launcher.Mpich)]
    public void BlockJacobiAndChebyshev_Converge_WithSerialCountsAtOneRank_AndModerateGrowth(int ranks, Launcher launcher)
    {
        string[] methods = [.. BlockJacobi, "pcg-chebyshev"];
        var arguments = new List<string> { "solve", "--methods", string.Join(',', methods) };
        foreach (var p in Problems) arguments.AddRange(["--problem", p]);
        var results = MpiJob.Run(launcher, ranks, "result", [.. arguments]);
        Assert.Equal(Problems.Length * methods.Length, results.Count);

        foreach (var problem in Problems)
        {
            var (a, b) = CheckMethods.Problem(problem);
            using var matrix = Device.Cpu.Upload(a);
            using var bd = Device.Cpu.Upload(b);
            using var x = Device.Cpu.Allocate(a.Rows);
            foreach (var result in results.Where(r => r["problem"] == problem))
            {
                string method = result["method"], what = $"{method} on {problem}, {ranks} ranks ({launcher})";
                Assert.Equal("ConvergedRelative", result["reason"]);
                Assert.True(result.Number("true") <= CheckMethods.Tolerance, $"{what}: true relative residual {result["true"]}");
                Device.Cpu.Fill(x, 0);
                var solver = CheckMethods.Create(method, matrix, a, Device.Cpu);
                int serial = solver.Solve(bd, x).Iterations;
                (solver as IDisposable)?.Dispose();
                int distributed = (int)result.Number("iterations");
                if (!BlockJacobi.Contains(method))
                    Assert.True(Math.Abs(distributed - serial) <= 1, $"{what}: {distributed} iterations, {serial} serially.");
                else if (ranks == 1)
                    Assert.True(distributed == serial, $"{what}: {distributed} iterations; the serial solve with the same local preconditioner takes {serial}.");
                else
                    Assert.True(distributed <= 2 * serial, $"{what}: {distributed} iterations, more than twice the serial {serial}.");
            }
        }
    }
}
