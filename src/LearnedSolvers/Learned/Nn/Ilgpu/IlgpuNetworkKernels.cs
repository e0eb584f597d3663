using LearnedSolvers.Devices;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>PLACEHOLDER until the ILGPU network kernels land (branch nn-base only; never merged as is).</summary>
internal sealed class IlgpuNetworkKernels(IlgpuDevice device) : INetworkKernels
{
    private readonly IlgpuDevice _device = device;

    public void Convolution(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y, int dilation) => throw new NotImplementedException();
    public void ConvolutionBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, int dilation, bool accumulate) => throw new NotImplementedException();
    public void ConvolutionBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias, int dilation, bool accumulate) => throw new NotImplementedException();
    public void Linear(DeviceBuffer<float> x, DeviceBuffer<float> weight, DeviceBuffer<float>? bias, DeviceBuffer<float> y) => throw new NotImplementedException();
    public void LinearBackwardInput(DeviceBuffer<float> dy, DeviceBuffer<float> weight, DeviceBuffer<float> dx, bool accumulate) => throw new NotImplementedException();
    public void LinearBackwardWeight(DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dWeight, DeviceBuffer<float>? dBias, bool accumulate) => throw new NotImplementedException();
    public void Activate(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> y) => throw new NotImplementedException();
    public void ActivateBackward(Activation function, DeviceBuffer<float> x, DeviceBuffer<float> dy, DeviceBuffer<float> dx) => throw new NotImplementedException();
    public void AveragePool(DeviceBuffer<float> x, DeviceBuffer<float> y, int factor) => throw new NotImplementedException();
    public void AveragePoolBackward(DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate) => throw new NotImplementedException();
    public void Upsample(UpsampleMode mode, DeviceBuffer<float> x, DeviceBuffer<float> y, int factor) => throw new NotImplementedException();
    public void UpsampleBackward(UpsampleMode mode, DeviceBuffer<float> dy, DeviceBuffer<float> dx, int factor, bool accumulate) => throw new NotImplementedException();
    public void LayerNorm(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> beta, float epsilon, DeviceBuffer<float> y, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd) => throw new NotImplementedException();
    public void LayerNormBackward(DeviceBuffer<float> x, DeviceBuffer<float> gamma, DeviceBuffer<float> mean, DeviceBuffer<float> inverseStd, DeviceBuffer<float> dy, DeviceBuffer<float> dx, DeviceBuffer<float> dGamma, DeviceBuffer<float> dBeta, bool accumulate) => throw new NotImplementedException();
    public void Axpby(float a, DeviceBuffer<float> x, float b, DeviceBuffer<float> y) => throw new NotImplementedException();
    public void AdamStep(DeviceBuffer<float> parameter, DeviceBuffer<float> gradient, DeviceBuffer<float> m, DeviceBuffer<float> v, float learningRate, float beta1, float beta2, float epsilon, int step) => throw new NotImplementedException();
    public void RowDots(DeviceBuffer<float> x, DeviceBuffer<float> y, Span<double> result) => throw new NotImplementedException();
    public void SparseMultiply(DeviceBuffer<int> rowPointers, DeviceBuffer<int> columns, DeviceBuffer<float> values, DeviceBuffer<float> x, DeviceBuffer<float> y) => throw new NotImplementedException();
    public void GatherRows(DeviceBuffer<float> x, DeviceBuffer<int> index, DeviceBuffer<float> y) => throw new NotImplementedException();
    public void SegmentSum(DeviceBuffer<float> x, DeviceBuffer<int> offsets, DeviceBuffer<int> order, DeviceBuffer<float> y, bool accumulate) => throw new NotImplementedException();
}
