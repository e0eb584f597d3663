using System.Diagnostics;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;
using LearnedSolvers.Learned.Graph;
using LearnedSolvers.Problems;
namespace LearnedSolvers.Benchmarks;
internal static class TimingProbe
{
    public static void Run(int grid)
    {
        var a = Poisson.TwoD(grid).Matrix;
        var dev = Device.Cpu;
        var k = dev.Kernels(INetworkKernels.Family);
        using var g = new MatrixGraph(a, dev);
        int m = a.NonZeros, n = a.Rows;
        using var x = dev.Allocate<float>(new Shape(m, 16));
        using var y = dev.Allocate<float>(new Shape(m, 16));
        using var w = dev.Allocate<float>(new Shape(16, 16));
        using var bias = dev.Allocate<float>(new Shape(16));
        using var gam = dev.Allocate<float>(new Shape(16));
        using var mean = dev.Allocate<float>(new Shape(m));
        using var istd = dev.Allocate<float>(new Shape(m));
        using var nx = dev.Allocate<float>(new Shape(n, 16));
        using var y2 = dev.Allocate<float>(new Shape(m, 16));
        void T(string name, Action act) { act(); var sw = Stopwatch.StartNew(); for (int i = 0; i < 50; i++) act(); Console.WriteLine($"{name}: {sw.Elapsed.TotalMilliseconds / 50:F3} ms"); }
        var xs = new float[m * 16]; var ys = new float[m * 16]; var ws = new float[256];
        T("raw loop", () => {
            var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(ws.AsSpan());
            int vectors = 16 / System.Numerics.Vector<float>.Count;
            for (int r = 0; r < m; r++) {
                var row = xs.AsSpan(r * 16, 16);
                var output = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(ys.AsSpan(r * 16, 16));
                output.Clear();
                for (int i = 0; i < 16; i++) { var xi = new System.Numerics.Vector<float>(row[i]); var wv = weights.Slice(i * vectors, vectors); for (int v = 0; v < vectors; v++) output[v] += xi * wv[v]; }
            } });
        T("raw parallel", () => System.Threading.Tasks.Parallel.For(0, 2, part => {
            var weights = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(ws.AsSpan());
            int vectors = 16 / System.Numerics.Vector<float>.Count;
            int half = m / 2, start = part * half, stop = part == 0 ? half : m;
            for (int r = start; r < stop; r++) {
                var row = xs.AsSpan(r * 16, 16);
                var output = System.Runtime.InteropServices.MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(ys.AsSpan(r * 16, 16));
                output.Clear();
                for (int i = 0; i < 16; i++) { var xi = new System.Numerics.Vector<float>(row[i]); var wv = weights.Slice(i * vectors, vectors); for (int v = 0; v < vectors; v++) output[v] += xi * wv[v]; }
            } }));
        Console.WriteLine($"Vector<float>.Count {System.Numerics.Vector<float>.Count}");
        T("team empty", () => k.Axpby(1, w, 1, w));
        T("linear", () => k.Linear(x, w, bias, y));
        T("linear back input", () => k.LinearBackwardInput(x, w, y));
        T("linear back weight", () => k.LinearBackwardWeight(x, y, w, bias, true));
        T("relu", () => k.Activate(Activation.Relu, x, y));
        T("axpby", () => k.Axpby(1, x, 1, y));
        T("layernorm", () => k.LayerNorm(x, gam, bias, 1e-5f, y, mean, istd));
        T("layernorm back", () => k.LayerNormBackward(x, gam, mean, istd, y, y2, w.Range(0,16), bias, true));
        T("gather", () => k.GatherRows(nx, g.Target, y));
        T("segsum target", () => k.SegmentSum(x, g.TargetOffsets, g.TargetOrder, nx));
        T("segsum source", () => k.SegmentSum(x, g.SourceOffsets, g.SourceOrder, nx));
        using var net = new GraphNetwork(dev, 3, 4);
        using var nodes = dev.Allocate<float>(new Shape(n, 3));
        using var edges = dev.Allocate<float>(new Shape(m, 4));
        using var d = dev.Allocate<float>(new Shape(m, 1));
        T("network forward", () => net.Forward(g, nodes, edges));
        T("network backward", () => net.Backward(d));
    }
}
internal static class SetupProbe
{
    public static void Run(string model, int grid)
    {
        var sys = Diffusion.Generate(DiffusionOptions.ConDiff(grid, 1.0, seed: 3));
        var (m, _) = LearnedSolvers.Learned.Factors.LearnedFactorModelFile.Load(model, Device.Cpu);
        for (int r = 0; r < 4; r++)
        {
            var sw = Stopwatch.StartNew();
            var f = m.PredictFactor(sys.Matrix);
            double predict = sw.Elapsed.TotalMilliseconds; sw.Restart();
            using var p = new LearnedSolvers.Preconditioners.TriangularFactorPreconditioner(f.Factor, true);
            double upload = sw.Elapsed.TotalMilliseconds; sw.Restart();
            using var ic = new LearnedSolvers.Preconditioners.IncompleteCholesky0(sys.Matrix);
            double ic0 = sw.Elapsed.TotalMilliseconds; sw.Restart();
            var sym = sys.Matrix.IsSymmetric(1e-12);
            double symmetric = sw.Elapsed.TotalMilliseconds;
            Console.WriteLine($"predict {predict:F1} ms, preconditioner {upload:F1} ms, IC(0) alone {ic0:F1} ms, symmetry check {symmetric:F1} ms");
        }
    }
}
