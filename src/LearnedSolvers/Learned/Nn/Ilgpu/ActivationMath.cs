namespace LearnedSolvers.Learned.Nn.Ilgpu;

/// <summary>
/// The activation functions and their derivatives in double, callable from kernels (codes: <see cref="Activation"/>'s
/// values). GELU is the exact erf form, and erf is not among ILGPU's functions; ILGPU.Algorithms' exp and tanh inside
/// kernels are not meant to be exact to the last bits of a double. So exp, tanh and erfc are computed here to double precision (or
/// nearly) from arithmetic alone: the same results on the CPU accelerator and on a GPU, up to rounding.
/// </summary>
internal static class ActivationMath
{
    private const double InverseSqrt2 = 0.70710678118654752440;
    private const double InverseSqrt2Pi = 0.39894228040143267794;
    private const double InverseSqrtPi = 0.56418958354775628695;
    private const double Log2E = 1.44269504088896340736;
    private const double Ln2High = 6.93147180369123816490e-01; // ln 2 split so that k · Ln2High is exact (Cody and Waite)
    private const double Ln2Low = 1.90821492927058770002e-10;

    public static double Apply(int function, double x) => function switch
    {
        (int)Activation.Relu => x < 0 ? 0 : x, // NaN stays NaN
        (int)Activation.Gelu => 0.5 * x * Erfc(-x * InverseSqrt2),
        (int)Activation.Tanh => Tanh(x),
        _ => x,
    };

    /// <summary>f′(x). ReLU′(0) = 0, as PyTorch.</summary>
    public static double Derivative(int function, double x)
    {
        switch (function)
        {
            case (int)Activation.Relu:
                return x > 0 ? 1 : 0;
            case (int)Activation.Gelu:
                return 0.5 * Erfc(-x * InverseSqrt2) + x * InverseSqrt2Pi * Exp(-0.5 * x * x);
            case (int)Activation.Tanh:
                double t = Tanh(x);
                return 1 - t * t;
            default:
                return 1;
        }
    }

    /// <summary>
    /// The complementary error function to a relative error below 1e-13: for |z| &lt; 2 from erf's series of positive
    /// terms, erf(a) = 2/√π e^(−a²) Σ (2a²)ⁿ a / (1·3·…·(2n + 1)), which does not cancel; beyond, from the continued
    /// fraction erfc(a) = e^(−a²)/√π / (a + ½/(a + 1/(a + (3/2)/(a + …)))) at a fixed depth, which keeps the relative
    /// precision of the far tail. GELU′ crosses zero near x = −0.75 as a difference of two such terms, so a
    /// float-accurate erfc would leave it with few correct digits there.
    /// </summary>
    public static double Erfc(double z)
    {
        double a = z < 0 ? -z : z;
        double tail;
        if (a < 2)
        {
            double term = a, sum = a, ratio = 2 * a * a;
            for (int n = 1; n <= 40 && term > 1e-17 * sum; n++)
            {
                term *= ratio / (2 * n + 1);
                sum += term;
            }
            tail = 1 - 2 * InverseSqrtPi * Exp(-a * a) * sum;
        }
        else
        {
            double f = a;
            for (int k = 50; k >= 1; k--) f = a + 0.5 * k / f;
            tail = InverseSqrtPi * Exp(-a * a) / f;
        }
        return z < 0 ? 2 - tail : tail; // NaN flows through the continued fraction
    }

    /// <summary>tanh to double precision: odd, from exp(−2|x|), with its Taylor series near 0 where 1 − e^(−2|x|) cancels.</summary>
    public static double Tanh(double x)
    {
        double a = x < 0 ? -x : x;
        double t;
        if (a < 0.01)
        {
            double a2 = a * a;
            t = a * (1 - a2 * (1.0 / 3 - a2 * (2.0 / 15 - a2 * (17.0 / 315))));
        }
        else
        {
            double e = Exp(-2 * a);
            t = (1 - e) / (1 + e);
        }
        return x < 0 ? -t : t; // NaN: both comparisons fail, and NaN flows through
    }

    /// <summary>
    /// e^x to about one unit in the last place for x ≤ 709 (larger x: +∞): x = k ln 2 + r with |r| ≤ ln 2 / 2, e^r by
    /// its Taylor polynomial to r¹³ (the remainder is below 1e-17), times 2^k built from the exponent bits.
    /// </summary>
    public static double Exp(double x)
    {
        if (!(x >= -745.2)) return x < -745.2 ? 0 : x; // NaN stays NaN
        if (x > 709.78) return double.PositiveInfinity;
        int k = (int)(x * Log2E + (x < 0 ? -0.5 : 0.5));
        double r = x - k * Ln2High - k * Ln2Low;
        double p = 1 + r * (1 + r * (1.0 / 2 + r * (1.0 / 6 + r * (1.0 / 24 + r * (1.0 / 120 + r * (1.0 / 720 + r * (1.0 / 5040 + r * (1.0 / 40320
            + r * (1.0 / 362880 + r * (1.0 / 3628800 + r * (1.0 / 39916800 + r * (1.0 / 479001600 + r * (1.0 / 6227020800.0)))))))))))));
        if (k > 1023)
        {
            p *= 2; // 2^1024 is not a double
            k--;
        }
        else if (k < -1020)
        {
            // 2^k is subnormal or below: scale in two steps so that each factor is a normal number.
            p *= global::ILGPU.Interop.IntAsFloat((ulong)(1023 - 200) << 52);
            k += 200;
        }
        return p * global::ILGPU.Interop.IntAsFloat((ulong)(k + 1023) << 52);
    }
}
