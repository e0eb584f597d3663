using System.Text.Json;
using LearnedSolvers.Cli;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.Distributed;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Cli;

/// <summary>
/// `mpirun -np 2 learnedsolvers solve ...` (and MPICH's `mpiexec -np 2 ...`): rank 0 alone prints the usual JSON report with "ranks", the iterations
/// are the single-process solve's (±1) where the preconditioner does not depend on the partition, block Jacobi
/// converges, x is gathered into --out; a failure on any rank ends the whole job with the documented exit code
/// instead of leaving the others waiting; options that need one process are refused in the user's terms.
/// </summary>
public sealed class MpiSolveCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ls-mpi-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("cg", "none", Launcher.OpenMpi)]
    [InlineData("pcg", "jacobi", Launcher.OpenMpi)]
    [InlineData("pcg", "chebyshev", Launcher.OpenMpi)]
    [InlineData("gmres", "none", Launcher.OpenMpi)]
    [InlineData("gcrodr", "none", Launcher.OpenMpi)]
    [InlineData("cg", "none", Launcher.Mpich)]
    [InlineData("gmres", "none", Launcher.Mpich)]
    public void TwoRanks_ReportRanks_AndTheSerialIterations(string method, string precond, Launcher launcher)
    {
        string matrix = SharedMatrices.PathOf("ani4");
        using var distributed = Json(MpiJob.Exec(launcher, 2, typeof(CliApp).Assembly.Location, "solve", "--matrix", matrix, "--method", method, "--precond", precond, "--json"));
        var (code, serialOut, err) = CliRunner.Run("solve", "--matrix", matrix, "--method", method, "--precond", precond, "--json");
        Assert.True(code == ExitCodes.Success, err);
        using var serial = JsonDocument.Parse(serialOut);

        var r = distributed.RootElement;
        Assert.Equal(2, r.GetProperty("ranks").GetInt32());
        Assert.Equal("mpi2:cpu", r.GetProperty("device").GetString());
        Assert.True(r.GetProperty("converged").GetBoolean());
        Assert.True(r.GetProperty("relativeResidual").GetDouble() <= 1e-8, $"true relative residual {r.GetProperty("relativeResidual")}");
        Assert.Equal(serial.RootElement.GetProperty("nnz").GetInt64(), r.GetProperty("nnz").GetInt64());
        int across = r.GetProperty("iterations").GetInt32(), alone = serial.RootElement.GetProperty("iterations").GetInt32();
        Assert.True(Math.Abs(across - alone) <= 1, $"{method} + {precond}: {across} iterations on 2 ranks ({launcher}), {alone} in one process");
        Assert.False(serial.RootElement.TryGetProperty("ranks", out _), "a single-process report has no ranks field");
    }

    [Fact]
    public void DeviceOption_PutsEachRanksRows_OnThatDevice()
    {
        string matrix = SharedMatrices.PathOf("ani1");
        using var distributed = Json(MpiJob.Exec(2, typeof(CliApp).Assembly.Location,
            "solve", "--matrix", matrix, "--method", "gmres", "--precond", "block-jacobi", "--local", "ilu0", "--device", "ilgpu-cpu", "--json"));
        var r = distributed.RootElement;
        Assert.Equal("mpi2:ilgpu-cpu", r.GetProperty("device").GetString());
        Assert.True(r.GetProperty("converged").GetBoolean());
        Assert.True(r.GetProperty("relativeResidual").GetDouble() <= 1e-8, $"true relative residual {r.GetProperty("relativeResidual")}");
    }

    [Fact]
    public void BlockJacobi_Converges_AndRankZeroWritesTheGatheredSolution()
    {
        string matrix = SharedMatrices.PathOf("ani4"), x = Path.Combine(_dir, "x.mtx"), b = Path.Combine(_dir, "b.mtx");
        var a = MatrixMarketReader.ReadMatrix(matrix);
        var rhs = RandomSystems.Vector(a.Rows, 7);
        MatrixMarketWriter.WriteVector(b, rhs);
        var (code, output, err) = MpiJob.Exec(2, typeof(CliApp).Assembly.Location,
            "solve", "--matrix", matrix, "--rhs", b, "--method", "gmres", "--precond", "block-jacobi", "--local", "ilu0", "--json", "--out", x);
        Assert.True(code == ExitCodes.Success, output + err);
        Assert.Equal(1, output.Count(c => c == '{')); // rank 1 prints nothing
        using var report = Json((code, output, err));
        Assert.Equal("block-jacobi(ilu0)", report.RootElement.GetProperty("preconditioner").GetString());
        Assert.True(report.RootElement.GetProperty("converged").GetBoolean());
        Assert.True(SolveRunner.TrueRelativeResidual(a, MatrixMarketReader.ReadVector(x), rhs) <= 1e-8, "the written x does not solve A x = b");
    }

    [Fact]
    public void MissingFile_EndsEveryRank_WithTheBadInputCode()
    {
        var (code, output, err) = MpiJob.Exec(2, typeof(CliApp).Assembly.Location, "solve", "--matrix", Path.Combine(_dir, "none.mtx"), "--method", "cg");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("file not found", output + err);
    }

    [Fact]
    public void ZeroPivotOnOneRanksBlock_AbortsTheJob_WithTheSetupCode_NamingTheRank()
    {
        // west0479 has zero diagonal entries, so ILU(0) of a rank's block meets a zero pivot; the job must not hang.
        var (code, output, err) = MpiJob.Exec(2, typeof(CliApp).Assembly.Location,
            "solve", "--matrix", SharedMatrices.PathOf("west0479"), "--method", "gmres", "--precond", "block-jacobi", "--local", "ilu0");
        Assert.Equal(ExitCodes.SetupFailed, code);
        Assert.Contains("block Jacobi on rank", output + err);
    }

    [Fact]
    public void PreconditionerThatNeedsTheWholeMatrix_IsRefused_PointingToBlockJacobi()
    {
        var (code, output, err) = MpiJob.Exec(2, typeof(CliApp).Assembly.Location,
            "solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "pcg", "--precond", "ic0");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--precond block-jacobi --local ic0", output + err);
    }

    [Fact]
    public void BlockJacobiInOneProcess_IsRefused_NamingMpirun()
    {
        var (code, _, err) = CliRunner.Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--method", "gmres", "--precond", "block-jacobi");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("mpirun -np P", err);
        var (localCode, _, localErr) = CliRunner.Run("solve", "--matrix", SharedMatrices.PathOf("ani4"), "--precond", "ilu0", "--local", "ic0");
        Assert.Equal(ExitCodes.BadInput, localCode);
        Assert.Contains("--precond block-jacobi only", localErr);
    }

    private static (int Code, string Out, string Err) Mpi(int ranks, params string[] args) => MpiJob.Exec(ranks, typeof(CliApp).Assembly.Location, args);

    /// <summary>
    /// The one JSON object printed, alone: no terminal escape in front of it, though each rank writes into mpirun's
    /// pseudo-terminal (`mpirun ... --json | jq` must parse).
    /// </summary>
    private static JsonDocument Json((int Code, string Out, string Err) run)
    {
        Assert.True(run.Code == ExitCodes.Success, $"exit {run.Code}: {run.Out}{run.Err}");
        Assert.DoesNotContain('\u001b', run.Out);
        return JsonDocument.Parse(run.Out);
    }
}
