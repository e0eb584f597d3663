namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// How <see cref="INetworkKernels.Upsample"/> fills the finer grid, as PyTorch's nn.Upsample: <see cref="Nearest"/>
/// repeats each value; <see cref="Linear"/> interpolates (bilinear in 2-D, trilinear in 3-D) with align_corners=False,
/// the source coordinate (i + 0.5) / factor − 0.5 clamped at 0 and at the last cell.
/// </summary>
public enum UpsampleMode
{
    Nearest,
    Linear,
}
