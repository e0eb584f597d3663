using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// The sizes of a "same" convolution, passed to the kernels by value. A 2-D convolution is the 3-D one with depth 1
/// and kernel depth 1, so one kernel body serves both.
/// </summary>
internal readonly struct ConvolutionGeometry
{
    public readonly int Batch, InChannels, OutChannels;
    public readonly int Depth, Height, Width;
    public readonly int KernelDepth, KernelHeight, KernelWidth;
    public readonly int Dilation;

    private ConvolutionGeometry(int batch, int inChannels, int outChannels, int depth, int height, int width,
        int kernelDepth, int kernelHeight, int kernelWidth, int dilation)
    {
        Batch = batch;
        InChannels = inChannels;
        OutChannels = outChannels;
        Depth = depth;
        Height = height;
        Width = width;
        KernelDepth = kernelDepth;
        KernelHeight = kernelHeight;
        KernelWidth = kernelWidth;
        Dilation = dilation;
    }

    /// <summary>The geometry of input [N, Cin, S…] and weight [Cout, Cin, K…] (shapes already checked).</summary>
    public static ConvolutionGeometry Of(Shape input, Shape weight, int dilation) => input.Rank == 5
        ? new(input[0], input[1], weight[0], input[2], input[3], input[4], weight[2], weight[3], weight[4], dilation)
        : new(input[0], input[1], weight[0], 1, input[2], input[3], 1, weight[2], weight[3], dilation);

    /// <summary>Spatial positions per channel.</summary>
    public int Positions => Depth * Height * Width;

    /// <summary>Taps per (output, input) channel pair.</summary>
    public int KernelVolume => KernelDepth * KernelHeight * KernelWidth;

    /// <summary>Elements of the weight tensor.</summary>
    public int WeightCount => OutChannels * InChannels * KernelVolume;

    /// <summary>Zero padding on each side of each dimension: the offset of tap 0 from the output position.</summary>
    public int PadDepth => Dilation * (KernelDepth - 1) / 2;

    public int PadHeight => Dilation * (KernelHeight - 1) / 2;

    public int PadWidth => Dilation * (KernelWidth - 1) / 2;
}
