using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// The sizes of one convolution, checked against its tensors: images [N, Cin, S…] and [N, Cout, S…], weights
/// [Cout, Cin, K…]. 2-D convolutions are 3-D ones with depth 1 and kernel depth 1.
/// </summary>
internal readonly record struct ConvolutionShape(int Batch, int InputChannels, int OutputChannels, int Depth, int Height, int Width,
    int KernelDepth, int KernelHeight, int KernelWidth, int Dilation)
{
    public int Taps => KernelDepth * KernelHeight * KernelWidth;

    public int PadDepth => Dilation * (KernelDepth - 1) / 2;

    public int PadHeight => Dilation * (KernelHeight - 1) / 2;

    public int PadWidth => Dilation * (KernelWidth - 1) / 2;

    /// <summary>Positions per channel of one sample: D·H·W.</summary>
    public int Volume => Depth * Height * Width;

    public int WeightCount => OutputChannels * InputChannels * Taps;

    /// <summary>
    /// Checks the tensors of a convolution: <paramref name="input"/> [N, Cin, S…] (x or dx), <paramref name="weight"/>
    /// [Cout, Cin, K…] with odd sizes, <paramref name="output"/> [N, Cout, S…] (y or dy), all on <paramref name="device"/>.
    /// </summary>
    public static ConvolutionShape Check(Device device, DeviceBuffer<float> input, string inputName, DeviceBuffer<float> weight, string weightName,
        DeviceBuffer<float> output, string outputName, int dilation)
    {
        CpuNetworkChecks.On(device, input, inputName);
        CpuNetworkChecks.On(device, weight, weightName);
        CpuNetworkChecks.On(device, output, outputName);
        if (dilation < 1) throw new ArgumentOutOfRangeException(nameof(dilation), dilation, "The dilation must be at least 1.");
        CpuNetworkChecks.Images(input, inputName);
        var x = input.Shape;
        var w = weight.Shape;
        if (w.Rank != x.Rank)
            throw new ArgumentException($"{weightName} has shape {w}; a convolution of {inputName} {x} needs [Cout, Cin{(x.Rank == 5 ? ", kD" : "")}, kH, kW].", weightName);
        if (w[1] != x[1])
            throw new ArgumentException($"{weightName} has shape {w}: {w[1]} input channels, but {inputName} has shape {x}: {x[1]} channels.", weightName);
        for (int axis = 2; axis < w.Rank; axis++)
            if (w[axis] % 2 == 0)
                throw new ArgumentException($"{weightName} has shape {w}: kernel sizes must be odd (\"same\" padding dilation·(k − 1)/2 on each side).", weightName);
        Span<int> expected = stackalloc int[x.Rank];
        for (int axis = 0; axis < x.Rank; axis++) expected[axis] = axis == 1 ? w[0] : x[axis];
        CpuNetworkChecks.Shape(output.Shape, outputName, new Shape(expected), $"[N, Cout, S…] for {inputName} {x} and {weightName} {w}");
        bool threeD = x.Rank == 5;
        return new ConvolutionShape(x[0], x[1], w[0], threeD ? x[2] : 1, x[x.Rank - 2], x[x.Rank - 1],
            threeD ? w[2] : 1, w[w.Rank - 2], w[w.Rank - 1], dilation);
    }

    /// <summary>Checks that a bias (or its gradient) holds one value per output channel.</summary>
    public void CheckBias(DeviceBuffer<float> bias, string argument) =>
        CpuNetworkChecks.Shape(bias.Shape, argument, new Shape(OutputChannels), "[Cout], one value per output channel");
}
