using System.Numerics;
using LearnedSolvers.Devices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>The element-wise kernels (activations, Axpby, Adam) over fixed chunks of <see cref="CpuDevice.ChunkSize"/> elements.</summary>
internal sealed class ElementwiseJob(CpuWorkerTeam team) : CpuChunkJob
{
    private enum Operation { Activate, ActivateBackward, Axpby, Adam }

    private Operation _operation;
    private Activation _function;
    private CpuMemory<float> _a, _b, _c, _d;
    private float _alpha, _beta, _epsilon, _stepSize, _correction2Sqrt;
    private int _length;

    /// <summary>y = f(x).</summary>
    public void Activate(Activation function, CpuMemory<float> x, CpuMemory<float> y)
    {
        _function = function;
        Run(Operation.Activate, x, y, default, default);
    }

    /// <summary>dx = dy ∘ f′(x).</summary>
    public void ActivateBackward(Activation function, CpuMemory<float> x, CpuMemory<float> dy, CpuMemory<float> dx)
    {
        _function = function;
        Run(Operation.ActivateBackward, x, dy, dx, default);
    }

    /// <summary>y = a·x + b·y.</summary>
    public void Axpby(float a, CpuMemory<float> x, float b, CpuMemory<float> y)
    {
        _alpha = a;
        _beta = b;
        Run(Operation.Axpby, x, y, default, default);
    }

    /// <summary>
    /// torch.optim.Adam's update in its own order of operations: m.lerp_(g, 1 − β₁); v = β₂v + (1 − β₂)g²;
    /// p −= (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε), the bias corrections formed in double.
    /// </summary>
    public void Adam(CpuMemory<float> parameter, CpuMemory<float> gradient, CpuMemory<float> m, CpuMemory<float> v,
        float learningRate, float beta1, float beta2, float epsilon, int step)
    {
        _alpha = beta1;
        _beta = beta2;
        _epsilon = epsilon;
        _stepSize = (float)(learningRate / (1 - Math.Pow(beta1, step)));
        _correction2Sqrt = (float)Math.Sqrt(1 - Math.Pow(beta2, step));
        Run(Operation.Adam, parameter, gradient, m, v);
    }

    private void Run(Operation operation, CpuMemory<float> a, CpuMemory<float> b, CpuMemory<float> c, CpuMemory<float> d)
    {
        _operation = operation;
        _a = a;
        _b = b;
        _c = c;
        _d = d;
        _length = a.Length;
        try
        {
            team.Run(this, CpuDevice.ChunkCount(_length));
        }
        finally
        {
            _a = _b = _c = _d = default;
        }
    }

    public override void RunChunk(int chunk)
    {
        int start = chunk * CpuDevice.ChunkSize;
        int length = Math.Min(CpuDevice.ChunkSize, _length - start);
        if (length <= 0) return;
        switch (_operation)
        {
            case Operation.Activate:
                ActivationFunctions.Apply(_function, _a.Slice(start, length), _b.Slice(start, length));
                break;
            case Operation.ActivateBackward:
                ActivationFunctions.Backward(_function, _a.Slice(start, length), _b.Slice(start, length), _c.Slice(start, length));
                break;
            case Operation.Axpby:
                Axpby(_alpha, _a.Slice(start, length), _beta, _b.Slice(start, length));
                break;
            case Operation.Adam:
                Adam(_a.Slice(start, length), _b.Slice(start, length), _c.Slice(start, length), _d.Slice(start, length));
                break;
        }
    }

    private static void Axpby(float a, ReadOnlySpan<float> x, float b, Span<float> y)
    {
        int i = 0, w = Vector<float>.Count;
        var va = new Vector<float>(a);
        var vb = new Vector<float>(b);
        for (; i <= x.Length - w; i += w) (va * new Vector<float>(x[i..]) + vb * new Vector<float>(y[i..])).CopyTo(y[i..]);
        for (; i < x.Length; i++) y[i] = a * x[i] + b * y[i];
    }

    private void Adam(Span<float> p, ReadOnlySpan<float> g, Span<float> m, Span<float> v)
    {
        float beta1 = _alpha, beta2 = _beta, weight = 1 - beta1, square = 1 - beta2;
        for (int i = 0; i < p.Length; i++)
        {
            float gi = g[i];
            float mi = m[i] + weight * (gi - m[i]);
            float vi = v[i] * beta2 + square * gi * gi;
            m[i] = mi;
            v[i] = vi;
            p[i] -= _stepSize * (mi / (MathF.Sqrt(vi) / _correction2Sqrt + _epsilon));
        }
    }
}
