namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>The sizes of a convolution for the tests: 2-D when Depth is 0 (then computed as depth 1, kernel depth 1).</summary>
public readonly record struct ConvolutionCase(int Batch, int InputChannels, int OutputChannels, int Depth, int Height, int Width,
    int KernelDepth, int KernelHeight, int KernelWidth, int Dilation)
{
    public bool ThreeD => Depth > 0;
    public int D => ThreeD ? Depth : 1;
    public int KD => ThreeD ? KernelDepth : 1;
    public int Volume => D * Height * Width;
    public int Taps => KD * KernelHeight * KernelWidth;

    public int[] InputShape => ThreeD ? [Batch, InputChannels, Depth, Height, Width] : [Batch, InputChannels, Height, Width];
    public int[] OutputShape => ThreeD ? [Batch, OutputChannels, Depth, Height, Width] : [Batch, OutputChannels, Height, Width];
    public int[] WeightShape => ThreeD ? [OutputChannels, InputChannels, KernelDepth, KernelHeight, KernelWidth] : [OutputChannels, InputChannels, KernelHeight, KernelWidth];

    public int InputLength => Batch * InputChannels * Volume;
    public int OutputLength => Batch * OutputChannels * Volume;
    public int WeightLength => OutputChannels * InputChannels * Taps;

    public override string ToString() =>
        $"N{Batch} {InputChannels}→{OutputChannels} {(ThreeD ? $"{Depth}×" : "")}{Height}×{Width} k{(ThreeD ? $"{KernelDepth}×" : "")}{KernelHeight}×{KernelWidth} d{Dilation}";
}
