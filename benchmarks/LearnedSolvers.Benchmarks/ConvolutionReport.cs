using System.Diagnostics;
using System.Numerics;
using System.Runtime.Intrinsics;
using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Benchmarks;

/// <summary>
/// `-- conv [device] [repeats]`: throughput of the network kernels' convolutions, forward, input gradient and weight
/// gradient, on a 16 → 16 channel 3×3 convolution of [8, 16, 256, 256] and a 3×3×3 one of [2, 16, 64, 64, 64], counting
/// 2·N·Cout·Cin·taps·positions flops per call (the multiply-adds of the direct method, padding taps included). Best and
/// median and worst of <c>repeats</c> timed calls after one warm-up call; the header gives the SIMD width and the core count for a
/// peak estimate.
/// </summary>
public static class ConvolutionReport
{
    public static void Run(Device device, int repeats)
    {
        var kernels = device.Kernels(INetworkKernels.Family);
        Console.WriteLine($"# network convolutions on {device.Name}: {Environment.ProcessorCount} cores, Vector<float>.Count = {Vector<float>.Count}, " +
            $"Vector512 accelerated: {Vector512.IsHardwareAccelerated}, Vector256 accelerated: {Vector256.IsHardwareAccelerated}, {DateTime.UtcNow:yyyy-MM-dd}, {repeats} repeats");
        Console.WriteLine("| convolution | kernel | best (ms) | median (ms) | worst (ms) | GFLOP/s (best) | GFLOP/s (median) |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
        Measure(kernels, device, [8, 16, 256, 256], [16, 16, 3, 3], repeats);
        Measure(kernels, device, [2, 16, 64, 64, 64], [16, 16, 3, 3, 3], repeats);
    }

    private static void Measure(INetworkKernels kernels, Device device, int[] input, int[] kernel, int repeats)
    {
        var inputShape = new Shape(input);
        var weightShape = new Shape(kernel);
        int[] output = [input[0], kernel[0], .. input[2..]];
        var outputShape = new Shape(output);
        var random = new Random(1);
        float[] Values(int n) => Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var x = device.Upload<float>(Values(inputShape.Length), inputShape);
        using var w = device.Upload<float>(Values(weightShape.Length), weightShape);
        using var b = device.Upload<float>(Values(kernel[0]), new Shape(kernel[0]));
        using var dy = device.Upload<float>(Values(outputShape.Length), outputShape);
        using var y = device.Allocate<float>(outputShape);
        using var dx = device.Allocate<float>(inputShape);
        using var dw = device.Allocate<float>(weightShape);
        using var db = device.Allocate<float>(new Shape(kernel[0]));
        double flops = 2.0 * weightShape.Length * outputShape.Length / output[1];
        string name = $"{inputShape} ⋆ {weightShape}";
        Report(name, "forward", flops, repeats, () => kernels.Convolution(x, w, b, y));
        Report(name, "input gradient", flops, repeats, () => kernels.ConvolutionBackwardInput(dy, w, dx));
        Report(name, "weight + bias gradient", flops, repeats, () => kernels.ConvolutionBackwardWeight(x, dy, dw, db));
    }

    private static void Report(string name, string kernel, double flops, int repeats, Action action)
    {
        action();
        var times = new double[repeats];
        for (int i = 0; i < repeats; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times[i] = Stopwatch.GetElapsedTime(start).TotalSeconds;
        }
        Array.Sort(times);
        double best = times[0], median = times[repeats / 2], worst = times[^1];
        Console.WriteLine($"| {name} | {kernel} | {best * 1e3:F2} | {median * 1e3:F2} | {worst * 1e3:F2} | {flops / best / 1e9:F1} | {flops / median / 1e9:F1} |");
    }
}
