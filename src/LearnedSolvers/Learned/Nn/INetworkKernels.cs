using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// The kernels of the network library on float32 tensors: <see cref="DeviceBuffer{T}"/> of float in PyTorch's
/// contiguous layout. An image batch is [N, C, H, W] (2-D) or [N, C, D, H, W] (3-D); the spatial dimensions are those
/// after the first two. Convolution weights are [Cout, Cin, kH, kW] or [Cout, Cin, kD, kH, kW], biases [Cout], linear
/// weights [out, in]: a PyTorch state_dict's tensors as they are.
/// <para>
/// Every kernel checks that its buffers live on the family's device and that their shapes agree, and throws
/// <see cref="ArgumentException"/> naming the argument and both shapes otherwise. Outputs are overwritten, unless an
/// <c>accumulate</c> argument is true: gradients then add to what the buffer holds (mini-batches, shared weights).
/// Reductions accumulate in double and in a fixed order, so the same inputs give the same bits on the same device.
/// No kernel allocates device memory or host memory per call once warm. Indices (sparse columns, gather and segment
/// orders) are checked where the device can read them cheaply: the CPU throws ArgumentException for one out of range;
/// an accelerator, whose indices stay in its memory, writes NaN to the outputs that would read it instead of reading
/// outside a buffer.
/// </para>
/// </summary>
public interface INetworkKernels
{
    /// <summary>The CPU and ILGPU implementations.</summary>
    static readonly KernelFamily<INetworkKernels> Family = new("network kernels", d => new CpuNetworkKernels(d), d => new Ilgpu.IlgpuNetworkKernels(d));

    /// <summary>
    /// y = w ⋆ x + b (cross-correlation, as PyTorch's Conv2d/Conv3d), stride 1, zero padding dilation·(k − 1)/2 on each
    /// side of each spatial dimension ("same": y has x's spatial size). Kernel sizes must be odd. x [N, Cin, S…],
    /// w [Cout, Cin, K…], bias [Cout] or null, y [N, Cout, S…]; y must not alias x.
    /// </summary>
    void Convolution(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int dilation = 1);

    /// <summary>dx (+)= ∂(Σ dy ∘ y)/∂x for y = <see cref="Convolution"/>(x, w): the transposed convolution of dy.</summary>
    void ConvolutionBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, int dilation = 1, bool accumulate = false);

    /// <summary>
    /// dWeight (+)= Σ over batch and positions of dy ⊗ the shifted x; dBias (+)= Σ over batch and positions of dy (when
    /// not null).
    /// </summary>
    void ConvolutionBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias,
        int dilation = 1, bool accumulate = false);

    /// <summary>y = x wᵀ + b on the last dimension (PyTorch's nn.Linear): x [M, in], w [out, in], bias [out] or null, y [M, out].</summary>
    void Linear(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y);

    /// <summary>dx (+)= dy w.</summary>
    void LinearBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, bool accumulate = false);

    /// <summary>dWeight (+)= dyᵀ x; dBias (+)= Σ_rows dy (when not null).</summary>
    void LinearBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias, bool accumulate = false);

    /// <summary>y = f(x) element-wise, any shape; y may be x.</summary>
    void Activate(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> y);

    /// <summary>dx = dy ∘ f′(x) element-wise, x the activation's input; dx may be dy.</summary>
    void ActivateBackward(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dx);

    /// <summary>y = the mean of each factor^d block of x (d spatial dimensions, each divisible by factor): [N, C, S…] → [N, C, S/factor…].</summary>
    void AveragePool(DeviceBuffer<float> x, DeviceBuffer<float> y, int factor);

    /// <summary>dx (+)= dy spread evenly over each block.</summary>
    void AveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate = false);

    /// <summary>y = x on a grid <paramref name="factor"/> times finer: [N, C, S…] → [N, C, S·factor…] (see <see cref="UpsampleMode"/>).</summary>
    void Upsample(UpsampleMode mode, DeviceBuffer<float> x, DeviceBuffer<float> y, int factor);

    /// <summary>dx (+)= the adjoint of <see cref="Upsample"/> applied to dy.</summary>
    void UpsampleBackward(UpsampleMode mode, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate = false);

    /// <summary>
    /// Layer normalization over the channels at each position (channels-first, as ConvNeXt's LayerNorm):
    /// y[n, :, s] = (x[n, :, s] − μ) / √(σ² + ε) ∘ γ + β with the biased variance; γ, β [C]. Writes μ and 1/√(σ² + ε) to
    /// mean and inverseStd [N, S…] for the backward pass.
    /// </summary>
    void LayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, float epsilon,
        DeviceBuffer<float> y, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd);

    /// <summary>dx (+)= the input gradient; dGamma, dBeta (+)= their gradients (from the saved mean and inverseStd).</summary>
    void LayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd,
        DeviceBuffer<float> dy, DeviceBuffer<float> dx, DeviceBuffer<float> dGamma, DeviceBuffer<float> dBeta, bool accumulate = false);

    /// <summary>y = a·x + b·y element-wise (residual adds, gradient sums, SGD); same length.</summary>
    void Axpby(float a, DeviceBuffer<float> x, float b, DeviceBuffer<float> y);

    /// <summary>
    /// One Adam step (PyTorch's torch.optim.Adam, no weight decay): m = β₁m + (1 − β₁)g, v = β₂v + (1 − β₂)g²,
    /// p −= lr · (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε), with t = step ≥ 1. All four buffers have p's length.
    /// </summary>
    void AdamStep(DeviceBuffer<float> parameter, DeviceBuffer<float> gradient, DeviceBuffer<float> m, DeviceBuffer<float> v,
        float learningRate, float beta1, float beta2, float epsilon, int step);

    /// <summary>
    /// result[i] = xᵢᵀyᵢ for each of the rows of x and y viewed as [rows, length / rows] (rows = result.Length), summed in
    /// double in a fixed order; the results are copied to the host.
    /// </summary>
    void RowDots(DeviceBuffer<float> x, DeviceBuffer<float> y, Span<double> result);

    /// <summary>
    /// y[i, :] = Σ_k A[i, k] x[k, :] for each of the B rows: a float CSR matrix (n × n; rowPointers n + 1, columns and values
    /// nnz) applied to x and y viewed as [B, n]. The product that trains a network against a sparse system.
    /// </summary>
    void SparseMultiply(DeviceBuffer<int> rowPointers, DeviceBuffer<int> columns, DeviceBuffer<float> values,
        DeviceBuffer<float> x, DeviceBuffer<float> y);

    /// <summary>y[e, :] = x[index[e], :] for x [V, F], index [E], y [E, F] (a graph's source or target node features per edge).</summary>
    void GatherRows(DeviceBuffer<float> x, DeviceBuffer<int> index, DeviceBuffer<float> y);

    /// <summary>
    /// y[v, :] (+)= Σ_{k ∈ [offsets[v], offsets[v + 1])} x[order[k], :] for x [E, F], y [V, F], offsets [V + 1], order [E]:
    /// a deterministic scatter-add (the edges grouped by their target, summed in the group's order).
    /// </summary>
    void SegmentSum(DeviceBuffer<float> x, DeviceBuffer<int> offsets, DeviceBuffer<int> order, DeviceBuffer<float> y, bool accumulate = false);
}
