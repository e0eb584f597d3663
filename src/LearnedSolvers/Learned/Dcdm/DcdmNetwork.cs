using LearnedSolvers.Devices;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Learned.Dcdm;

/// <summary>
/// DCDM's fully convolutional network f ≈ A⁻¹ up to scale (Kaneda et al., ICML 2023), for 2-D or 3-D grids: 3×3(×3)
/// convolutions with <see cref="Channels"/> filters; cnn1 (1 → C, linear), four more at full resolution (cnn2–cnn5), a 2×
/// average pooling, six at half resolution (cnn6–cnn11), nearest upsampling added to cnn5's output (the skip), four more
/// (cnn12–cnn15), and a point-wise linear output "dense" (C → 1). ReLU after every convolution but cnn1, residual adds
/// around pairs (cnn4, cnn7, cnn9, cnn11, cnn13, cnn15 add the activation two convolutions back). With 16 channels in 3-D
/// this is the paper's 97,457 parameters; the names are those of the equivalent PyTorch module's state_dict.
/// <para>
/// Input and output are [N, 1, S…] with every spatial side even. The network keeps its activations for one input shape
/// (reallocated only when the shape changes), so a warm <see cref="Forward"/> allocates nothing; <see cref="Backward"/>
/// adds the parameter gradients of the last forward pass.
/// </para>
/// </summary>
public sealed class DcdmNetwork : IDisposable
{
    private const int Convolutions = 15;
    private readonly Convolution[] _cnn = new Convolution[Convolutions + 1]; // _cnn[1] … _cnn[15], as named
    private readonly Convolution _dense;
    private readonly INetworkKernels _kernels;
    private readonly IBufferKernels _buffers;
    private Workspace? _work;
    private DeviceBuffer<float>? _input;

    /// <param name="device">Where the parameters and activations live.</param>
    /// <param name="spatialDimensions">2 or 3.</param>
    /// <param name="channels">Filters per convolution (16 in the paper).</param>
    /// <param name="seed">
    /// Fixes the initial parameters: weights as PyTorch's default initialization (drawn in state_dict order), biases
    /// zero. With PyTorch's random biases the deep ReLU stack starts out close to a constant field, which the
    /// scale-invariant loss cannot improve, and 3-D training stalled at loss ≈ 0.99 for hundreds of steps; at zero
    /// biases the network also starts positively homogeneous, f(s·r) = s·f(r) for s &gt; 0, as A⁻¹ is.
    /// </param>
    public DcdmNetwork(Device device, int spatialDimensions, int channels = 16, int seed = 0)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (spatialDimensions is not (2 or 3)) throw new ArgumentOutOfRangeException(nameof(spatialDimensions), spatialDimensions, "DCDM's network is 2-D or 3-D.");
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        Device = device;
        SpatialDimensions = spatialDimensions;
        Channels = channels;
        _kernels = device.Kernels(INetworkKernels.Family);
        _buffers = device.Kernels(IBufferKernels.Family);
        var random = new Random(seed);
        for (int i = 1; i <= Convolutions; i++)
            _cnn[i] = new Convolution(device, $"cnn{i}", spatialDimensions, i == 1 ? 1 : channels, channels, 3, random);
        _dense = new Convolution(device, "dense", spatialDimensions, channels, 1, 1, random);
        Parameters = [.. _cnn.Skip(1).SelectMany(c => new[] { c.Weight, c.Bias }), _dense.Weight, _dense.Bias];
        foreach (var convolution in _cnn.Skip(1).Append(_dense)) _buffers.Fill(convolution.Bias.Value, 0);
    }

    public Device Device { get; }
    public int SpatialDimensions { get; }
    public int Channels { get; }

    /// <summary>Every parameter in state_dict order (cnn1.weight, cnn1.bias, …, dense.weight, dense.bias).</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Number of trained values.</summary>
    public int ParameterCount => Parameters.Sum(p => p.Shape.Length);

    /// <summary>
    /// q = f(x) for x [N, 1, S…]; the returned buffer is the network's and holds q until the next call. x must stay
    /// unchanged until <see cref="Backward"/> when gradients are wanted.
    /// </summary>
    public DeviceBuffer<float> Forward(DeviceBuffer<float> x)
    {
        var w = WorkspaceFor(x);
        _input = x;
        _cnn[1].Forward(x, w.F);
        Stage(2, w.F, w.Z[2], w.A[2], skip: null);
        Stage(3, w.A[2], w.Z[3], w.A[3], skip: null);
        Stage(4, w.A[3], w.Z[4], w.A[4], skip: w.A[2]);
        Stage(5, w.A[4], w.Z[5], w.A[5], skip: null);
        _kernels.AveragePool(w.A[5], w.Pooled, 2);
        Stage(6, w.Pooled, w.Z[6], w.A[6], skip: null);
        Stage(7, w.A[6], w.Z[7], w.A[7], skip: w.Pooled);
        Stage(8, w.A[7], w.Z[8], w.A[8], skip: null);
        Stage(9, w.A[8], w.Z[9], w.A[9], skip: w.A[7]);
        Stage(10, w.A[9], w.Z[10], w.A[10], skip: null);
        Stage(11, w.A[10], w.Z[11], w.A[11], skip: w.A[9]);
        _kernels.Upsample(UpsampleMode.Nearest, w.A[11], w.Upsampled, 2);
        _kernels.Axpby(1, w.A[5], 1, w.Upsampled);
        Stage(12, w.Upsampled, w.Z[12], w.A[12], skip: null);
        Stage(13, w.A[12], w.Z[13], w.A[13], skip: w.Upsampled);
        Stage(14, w.A[13], w.Z[14], w.A[14], skip: null);
        Stage(15, w.A[14], w.Z[15], w.A[15], skip: w.A[13]);
        _dense.Forward(w.A[15], w.Output);
        return w.Output;
    }

    /// <summary>Adds to every parameter's gradient the gradient of Σ dq ∘ q at the last forward pass's input.</summary>
    public void Backward(DeviceBuffer<float> dq)
    {
        var w = _work ?? throw new InvalidOperationException("Backward needs a forward pass first.");
        var x = _input!;
        if (!dq.Shape.Equals(w.Output.Shape)) throw new ArgumentException($"dq has shape {dq.Shape}; the last output had {w.Output.Shape}.", nameof(dq));
        _dense.Backward(w.A[15], dq, w.DA[15]);
        BackStage(15, w.A[14], w.DA[15], w.DA[14], overwrite: true, skipGradient: w.DA[13], skipOverwrite: true);
        BackStage(14, w.A[13], w.DA[14], w.DA[13], overwrite: false, skipGradient: null);
        BackStage(13, w.A[12], w.DA[13], w.DA[12], overwrite: true, skipGradient: w.DUpsampled, skipOverwrite: true);
        BackStage(12, w.Upsampled, w.DA[12], w.DUpsampled, overwrite: false, skipGradient: null);
        // u = up(a11) + a5: both get du.
        _kernels.UpsampleBackward(UpsampleMode.Nearest, w.DUpsampled, w.DA[11], 2);
        _buffers.Copy(w.DUpsampled, w.DA[5]);
        BackStage(11, w.A[10], w.DA[11], w.DA[10], overwrite: true, skipGradient: w.DA[9], skipOverwrite: true);
        BackStage(10, w.A[9], w.DA[10], w.DA[9], overwrite: false, skipGradient: null);
        BackStage(9, w.A[8], w.DA[9], w.DA[8], overwrite: true, skipGradient: w.DA[7], skipOverwrite: true);
        BackStage(8, w.A[7], w.DA[8], w.DA[7], overwrite: false, skipGradient: null);
        BackStage(7, w.A[6], w.DA[7], w.DA[6], overwrite: true, skipGradient: w.DPooled, skipOverwrite: true);
        BackStage(6, w.Pooled, w.DA[6], w.DPooled, overwrite: false, skipGradient: null);
        _kernels.AveragePoolBackward(w.DPooled, w.DA[5], 2, accumulate: true);
        BackStage(5, w.A[4], w.DA[5], w.DA[4], overwrite: true, skipGradient: null);
        BackStage(4, w.A[3], w.DA[4], w.DA[3], overwrite: true, skipGradient: w.DA[2], skipOverwrite: true);
        BackStage(3, w.A[2], w.DA[3], w.DA[2], overwrite: false, skipGradient: null);
        BackStage(2, w.F, w.DA[2], w.DF, overwrite: true, skipGradient: null);
        _cnn[1].Backward(x, w.DF, dx: null);
    }

    /// <summary>z = cnn_i(input) (+ skip); a = ReLU(z).</summary>
    private void Stage(int i, DeviceBuffer<float> input, DeviceBuffer<float> z, DeviceBuffer<float> a, DeviceBuffer<float>? skip)
    {
        _cnn[i].Forward(input, z);
        if (skip is not null) _kernels.Axpby(1, skip, 1, z);
        _kernels.Activate(Activation.Relu, z, a);
    }

    /// <summary>
    /// Back through <see cref="Stage"/> i: dz = da ∘ ReLU′(z); cnn_i's parameter gradients; the input gradient written
    /// (<paramref name="overwrite"/>) or added; dz written or added to the skip's gradient.
    /// </summary>
    private void BackStage(int i, DeviceBuffer<float> input, DeviceBuffer<float> da, DeviceBuffer<float> dInput, bool overwrite,
        DeviceBuffer<float>? skipGradient, bool skipOverwrite = false)
    {
        var w = _work!;
        var dz = da.Shape.Equals(w.DzFull.Shape) ? w.DzFull : w.DzHalf;
        _kernels.ActivateBackward(Activation.Relu, w.Z[i], da, dz);
        _cnn[i].Backward(input, dz, dInput, accumulateInput: !overwrite);
        if (skipGradient is null) return;
        if (skipOverwrite) _buffers.Copy(dz, skipGradient);
        else _kernels.Axpby(1, dz, 1, skipGradient);
    }

    private Workspace WorkspaceFor(DeviceBuffer<float> x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var s = x.Shape;
        if (s.Rank != SpatialDimensions + 2 || s[1] != 1)
            throw new ArgumentException($"x has shape {s}; the network takes [N, 1, {(SpatialDimensions == 2 ? "H, W" : "D, H, W")}].", nameof(x));
        for (int d = 2; d < s.Rank; d++)
            if (s[d] < 2 || s[d] % 2 != 0)
                throw new ArgumentException($"x has shape {s}; every spatial side must be even (the network pools by 2).", nameof(x));
        if (_work is not null && _work.Input.Equals(s)) return _work;
        _work?.Dispose();
        _work = new Workspace(Device, s, Channels);
        return _work;
    }

    public void Dispose()
    {
        _work?.Dispose();
        foreach (var c in _cnn.Skip(1)) c.Dispose();
        _dense.Dispose();
    }

    /// <summary>The activations of one input shape: pre-activations Z, activations A, their gradients, and the joins.</summary>
    private sealed class Workspace : IDisposable
    {
        private readonly List<IDisposable> _owned = [];

        public Workspace(Device device, Shape input, int channels)
        {
            Input = input;
            int[] full = input.ToArray(), half = input.ToArray();
            full[1] = channels;
            half[1] = channels;
            for (int d = 2; d < half.Length; d++) half[d] /= 2;
            var fullShape = new Shape(full);
            var halfShape = new Shape(half);
            DeviceBuffer<float> New(Shape shape)
            {
                var b = device.Allocate<float>(shape);
                _owned.Add(b);
                return b;
            }
            F = New(fullShape);
            DF = New(fullShape);
            for (int i = 2; i <= Convolutions; i++)
            {
                var shape = i is >= 6 and <= 11 ? halfShape : fullShape;
                Z[i] = New(shape);
                A[i] = New(shape);
                DA[i] = New(shape);
            }
            Pooled = New(halfShape);
            DPooled = New(halfShape);
            Upsampled = New(fullShape);
            DUpsampled = New(fullShape);
            DzFull = New(fullShape);
            DzHalf = New(halfShape);
            Output = New(input);
        }

        public Shape Input { get; }
        public DeviceBuffer<float> F, DF, Pooled, DPooled, Upsampled, DUpsampled, DzFull, DzHalf, Output;
        public readonly DeviceBuffer<float>[] Z = new DeviceBuffer<float>[Convolutions + 1];
        public readonly DeviceBuffer<float>[] A = new DeviceBuffer<float>[Convolutions + 1];
        public readonly DeviceBuffer<float>[] DA = new DeviceBuffer<float>[Convolutions + 1];

        public void Dispose()
        {
            foreach (var b in _owned) b.Dispose();
        }
    }
}
