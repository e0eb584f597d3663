using System.Numerics;
using System.Runtime.CompilerServices;

namespace LearnedSolvers.Learned.Nn.Cpu;

/// <summary>
/// The activations and their derivatives on spans, as PyTorch defines them: ReLU′(0) = 0, GELU the exact erf form
/// (evaluated in double), tanh′ = 1 − tanh². Outputs may be the inputs (element-wise, each read before it is written).
/// </summary>
internal static class ActivationFunctions
{
    private const double InverseSqrt2 = 0.70710678118654752440;
    private const double InverseSqrt2Pi = 0.39894228040143267794;

    public static void Apply(Activation function, ReadOnlySpan<float> x, Span<float> y)
    {
        switch (function)
        {
            case Activation.Identity:
                x.CopyTo(y);
                break;
            case Activation.Relu:
                int i = 0;
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                    Vector.Max(new Vector<float>(x[i..]), Vector<float>.Zero).CopyTo(y[i..]);
                for (; i < x.Length; i++) y[i] = x[i] > 0 ? x[i] : 0;
                break;
            case Activation.Gelu:
                for (int k = 0; k < x.Length; k++) y[k] = (float)Gelu(x[k]);
                break;
            case Activation.Tanh:
                for (int k = 0; k < x.Length; k++) y[k] = (float)Math.Tanh(x[k]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(function), function, "Unknown activation.");
        }
    }

    /// <summary>dx = dy ∘ f′(x).</summary>
    public static void Backward(Activation function, ReadOnlySpan<float> x, ReadOnlySpan<float> dy, Span<float> dx)
    {
        switch (function)
        {
            case Activation.Identity:
                dy.CopyTo(dx);
                break;
            case Activation.Relu:
                int i = 0;
                for (; i <= x.Length - Vector<float>.Count; i += Vector<float>.Count)
                {
                    var positive = Vector.GreaterThan(new Vector<float>(x[i..]), Vector<float>.Zero);
                    Vector.ConditionalSelect(positive, new Vector<float>(dy[i..]), Vector<float>.Zero).CopyTo(dx[i..]);
                }
                for (; i < x.Length; i++) dx[i] = x[i] > 0 ? dy[i] : 0;
                break;
            case Activation.Gelu:
                for (int k = 0; k < x.Length; k++) dx[k] = (float)(dy[k] * GeluDerivative(x[k]));
                break;
            case Activation.Tanh:
                for (int k = 0; k < x.Length; k++)
                {
                    double t = Math.Tanh(x[k]);
                    dx[k] = (float)(dy[k] * (1 - t * t));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(function), function, "Unknown activation.");
        }
    }

    /// <summary>x·Φ(x) = x/2 · (1 + erf(x/√2)).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Gelu(double x) => 0.5 * x * (1 + Erf(x * InverseSqrt2));

    /// <summary>Φ(x) + x·φ(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double GeluDerivative(double x) => 0.5 * (1 + Erf(x * InverseSqrt2)) + x * InverseSqrt2Pi * Math.Exp(-0.5 * x * x);

    /// <summary>
    /// erf(x) to within 7e-8 absolute (about one float ulp of 1): an odd rational function of x, x clamped to [−4, 4]
    /// where erf is ±1 in float (the minimax form used by Eigen's float erf).
    /// </summary>
    public static double Erf(double x)
    {
        x = Math.Clamp(x, -4.0, 4.0);
        double z = x * x;
        double p = -2.72614225801306e-10;
        p = p * z + 2.77068142495902e-08;
        p = p * z - 2.10102402082508e-06;
        p = p * z - 5.69250639462346e-05;
        p = p * z - 7.34990630326855e-04;
        p = p * z - 2.95459980854025e-03;
        p = p * z - 1.60960333262415e-02;
        double q = -1.45660718464996e-05;
        q = q * z - 2.13374055278905e-04;
        q = q * z - 1.68282697438203e-03;
        q = q * z - 7.37332916720468e-03;
        q = q * z - 1.42647390514189e-02;
        return x * p / q;
    }
}
