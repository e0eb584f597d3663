using BenchmarkDotNet.Attributes;
using LearnedSolvers.Devices;
using LearnedSolvers.Interop;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using MathNet.Numerics.LinearAlgebra.Double;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// SpMV on 2D Poisson (5-point, n = GridSize²): MathNet's SparseMatrix multiply, our CPU device, our serial
/// reference. Bytes counted per SpMV: 12 per entry (value + column index), 4 per row pointer, 8 per x and y entry.
/// </summary>
[Config(typeof(SideBySideConfig))]
public class SpmvBenchmarks
{
    private SparseMatrix _mathNet = null!;
    private DenseVector _mx = null!, _my = null!;
    private CsrMatrix _a = null!;
    private DeviceCsrMatrix _ours = null!;
    private DeviceVector _x = null!, _y = null!;
    private double[] _xs = [], _ys = [];

    [Params(1000)]
    public int GridSize { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _a = Poisson.TwoD(GridSize).Matrix;
        _xs = new double[_a.Rows];
        var rng = new Random(1);
        for (int i = 0; i < _xs.Length; i++) _xs[i] = rng.NextDouble();
        _ys = new double[_a.Rows];
        _mathNet = MathNetConversions.ToMathNet(_a);
        _mx = DenseVector.OfArray(_xs);
        _my = new DenseVector(_a.Rows);
        _ours = Device.Cpu.Upload(_a);
        _x = Device.Cpu.Upload(_xs);
        _y = Device.Cpu.Allocate(_a.Rows);
        long bytes = 12L * _a.NonZeros + 4L * (_a.Rows + 1) + 16L * _a.Rows;
        Console.WriteLine($"// SpMV bytes per product: {bytes} ({_a.Rows} rows, {_a.NonZeros} entries), CPU threads: {((CpuDevice)Device.Cpu).Parallelism}");
    }

    [Benchmark(Baseline = true, Description = "MathNet SparseMatrix.Multiply")]
    public void MathNet() => _mathNet.Multiply(_mx, _my);

    [Benchmark(Description = "LearnedSolvers CPU device SpMV")]
    public void LearnedSolvers() => _ours.Apply(_x, _y);

    [Benchmark(Description = "LearnedSolvers serial reference SpMV")]
    public void LearnedSolversSerial() => _a.Multiply(_xs, _ys);
}
