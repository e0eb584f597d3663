using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// The sizes of a pooling or upsampling between a coarse grid and a grid <see cref="Factor"/> times finer, passed to
/// the kernels by value. A 2-D grid is a 3-D one of depth 1 that is not refined in depth (<see cref="DepthFactor"/> 1).
/// </summary>
internal readonly struct ResampleGeometry
{
    /// <summary>Batch × channels: the planes (or volumes) resampled independently.</summary>
    public readonly int Planes;
    public readonly int CoarseDepth, CoarseHeight, CoarseWidth;
    public readonly int Factor, DepthFactor;

    private ResampleGeometry(int planes, int coarseDepth, int coarseHeight, int coarseWidth, int factor, int depthFactor)
    {
        Planes = planes;
        CoarseDepth = coarseDepth;
        CoarseHeight = coarseHeight;
        CoarseWidth = coarseWidth;
        Factor = factor;
        DepthFactor = depthFactor;
    }

    /// <summary>The geometry of a coarse grid [N, C, S…] refined by factor (shapes already checked).</summary>
    public static ResampleGeometry Of(Shape coarse, int factor) => coarse.Rank == 5
        ? new(coarse[0] * coarse[1], coarse[2], coarse[3], coarse[4], factor, factor)
        : new(coarse[0] * coarse[1], 1, coarse[2], coarse[3], factor, 1);

    public int FineDepth => CoarseDepth * DepthFactor;

    public int FineHeight => CoarseHeight * Factor;

    public int FineWidth => CoarseWidth * Factor;

    /// <summary>Fine cells per coarse cell: factor^d.</summary>
    public int BlockVolume => DepthFactor * Factor * Factor;
}
