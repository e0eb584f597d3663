using BenchmarkDotNet.Attributes;
using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// A CG iteration against the memory-bandwidth limit, on 2D Poisson with n = GridSize² unknowns.
/// Bytes one CG iteration must move with our fused kernels (counted, not measured):
///   SpMV fused with pᵀq: 12·nnz + 4·(n+1) (matrix) + 8n (read p) + 8n (write q)
///   x += αp, r −= αq, ‖r‖²: 32n read + 16n written
///   p = r + βp: 16n read + 8n written
/// i.e. 12·nnz + 92n + 4 bytes. The baseline copies half that many bytes (so it reads and writes that total),
/// <see cref="Iterations"/> times, with the same worker threads; the ratio is CG time over copy time.
/// The CG contender is the real solver capped at <see cref="Iterations"/> iterations from x = 0, so its
/// time also includes the initial residual (about one more SpMV): the ratio is conservative.
/// </summary>
[Config(typeof(SideBySideConfig))]
public class CgIterationBenchmarks
{
    private ConjugateGradient _cg = null!;
    private DeviceVector _b = null!, _x = null!, _copySource = null!, _copyTarget = null!;

    [Params(1000)]
    public int GridSize { get; set; }

    public int Iterations => 50;

    [GlobalSetup]
    public void Setup()
    {
        var cpu = Device.Cpu;
        CsrMatrix a = Poisson.TwoD(GridSize).Matrix;
        _cg = new ConjugateGradient(cpu.Upload(a), options: new SolverOptions(RelativeTolerance: 1e-300, AbsoluteTolerance: 1e-300, MaxIterations: Iterations, RecordHistory: false));
        var rng = new Random(2);
        var b = new double[a.Rows];
        for (int i = 0; i < b.Length; i++) b[i] = rng.NextDouble() - 0.5;
        _b = cpu.Upload(b);
        _x = cpu.Allocate(a.Rows);
        long bytes = 12L * a.NonZeros + 92L * a.Rows + 4;
        int copyLength = checked((int)(bytes / 16));
        _copySource = cpu.Allocate(copyLength);
        cpu.Fill(_copySource, 1.0);
        _copyTarget = cpu.Allocate(copyLength);
        Console.WriteLine($"// CG bytes per iteration: {bytes} ({a.Rows} rows, {a.NonZeros} entries); copy of {copyLength * 8L} bytes per iteration as baseline");
    }

    [Benchmark(Baseline = true, Description = "Memory copy of one CG iteration's bytes, x Iterations")]
    public void MemoryCopy()
    {
        for (int k = 0; k < Iterations; k++) Device.Cpu.Copy(_copySource, _copyTarget);
    }

    [Benchmark(Description = "CG, Iterations iterations (real solver)")]
    public SolveResult Cg()
    {
        Device.Cpu.Fill(_x, 0);
        var result = _cg.Solve(_b, _x);
        if (result.Iterations != Iterations) throw new InvalidOperationException($"CG stopped after {result.Iterations} iterations: {result}");
        return result;
    }
}
