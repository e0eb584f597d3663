using ILGPU;
using ILGPU.Algorithms;

namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>Element-wise network kernels: one thread per element, any shape.</summary>
internal static class PointwiseKernels
{
    /// <summary>y = f(x) (y may be x).</summary>
    public static void Activate(Index1D i, int function, ArrayView<float> x, ArrayView<float> y) => y[i] = (float)ActivationMath.Apply(function, x[i]);

    /// <summary>dx = dy ∘ f′(x) (dx may be dy).</summary>
    public static void ActivateBackward(Index1D i, int function, ArrayView<float> x, ArrayView<float> dy, ArrayView<float> dx) =>
        dx[i] = (float)(dy[i] * ActivationMath.Derivative(function, x[i]));

    /// <summary>y = a·x + b·y, in double (the float products are exact there), rounded once.</summary>
    public static void Axpby(Index1D i, float a, ArrayView<float> x, float b, ArrayView<float> y) => y[i] = (float)((double)a * x[i] + (double)b * y[i]);

    /// <summary>
    /// One Adam step in double, rounded to float on store: m and v move toward g and g², then
    /// p −= stepSize · m / (√v / √(1 − β₂ᵗ) + ε), with stepSize = lr / (1 − β₁ᵗ) and √(1 − β₂ᵗ) formed on the host.
    /// </summary>
    public static void AdamStep(Index1D i, ArrayView<float> parameter, ArrayView<float> gradient, ArrayView<float> m, ArrayView<float> v,
        double beta1, double beta2, double epsilon, double stepSize, double secondCorrectionRoot)
    {
        double g = gradient[i];
        double mi = beta1 * m[i] + (1 - beta1) * g;
        double vi = beta2 * v[i] + (1 - beta2) * g * g;
        m[i] = (float)mi;
        v[i] = (float)vi;
        parameter[i] = (float)(parameter[i] - stepSize * mi / (XMath.Sqrt(vi) / secondCorrectionRoot + epsilon));
    }
}
