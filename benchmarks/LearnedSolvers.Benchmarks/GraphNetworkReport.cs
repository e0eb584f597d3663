using System.Diagnostics;
using System.Globalization;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Graph;
using LearnedSolvers.Problems;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// The graph network's passes on 2-D five-point graphs: inference (a learned factor's setup) and the training step's
/// forward and backward passes: median and range of the times over repeats, for NeuralPCG's size (hidden 16, 5 steps) and a small one
/// (hidden 8, 3 steps).
/// </summary>
internal static class GraphNetworkReport
{
    public static void Run(Device device, int[] grids, int repeats)
    {
        var c = CultureInfo.InvariantCulture;
        Console.WriteLine($"graph network on {device.Name}; {repeats} repeats after a warm-up; median [min, max] ms");
        Console.WriteLine("| grid | edges | hidden, steps | inference ms | training forward ms | backward ms |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (int grid in grids)
        {
            var a = Poisson.TwoD(grid).Matrix;
            using var graph = new MatrixGraph(a, device);
            using var nodes = device.Allocate<float>(new Shape(a.Rows, 3));
            using var edges = device.Allocate<float>(new Shape(a.NonZeros, 4));
            using var dOutput = device.Allocate<float>(new Shape(a.NonZeros, 1));
            var outputs = new float[a.NonZeros];
            foreach (var (hidden, steps) in new[] { (16, 5), (8, 3) })
            {
                using var network = new GraphNetwork(device, 3, 4, hidden, steps);
                var inference = Times(repeats, () => network.Forward(graph, nodes, edges, forBackward: false).CopyTo(outputs));
                var forward = Times(repeats, () => network.Forward(graph, nodes, edges).CopyTo(outputs));
                var backward = Times(repeats, () => network.Backward(dOutput));
                Console.WriteLine(string.Create(c, $"| {grid}² | {a.NonZeros} | {hidden}, {steps} | {Summary(inference)} | {Summary(forward)} | {Summary(backward)} |"));
            }
        }
    }

    private static double[] Times(int repeats, Action action)
    {
        action();
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var clock = Stopwatch.StartNew();
            action();
            times[r] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times;
    }

    private static string Summary(double[] sorted) =>
        string.Create(CultureInfo.InvariantCulture, $"{sorted[sorted.Length / 2]:F2} [{sorted[0]:F2}, {sorted[^1]:F2}]");
}
