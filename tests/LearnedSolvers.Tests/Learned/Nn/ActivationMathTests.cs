using LearnedSolvers.Learned.Nn.Ilgpu;
using MathNet.Numerics;

namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>The kernels' own exp, tanh and erfc (ILGPU.Algorithms' are approximations inside kernels), checked on the host against .NET's and MathNet's.</summary>
public sealed class ActivationMathTests
{
    [Fact]
    public void Exp_HasDoublePrecision_AcrossTheWholeRange()
    {
        for (double x = -745; x <= 709.7; x += 0.37)
        {
            double expected = Math.Exp(x);
            double relative = expected > 1e-300 ? 4e-16 : 1e-12; // subnormal results keep fewer bits
            Assert.True(Math.Abs(ActivationMath.Exp(x) - expected) <= relative * expected, $"exp({x}) = {ActivationMath.Exp(x):R}, expected {expected:R}");
        }
        Assert.Equal(1.0, ActivationMath.Exp(0));
        Assert.Equal(0.0, ActivationMath.Exp(-800));
        Assert.Equal(double.PositiveInfinity, ActivationMath.Exp(710));
        Assert.True(double.IsNaN(ActivationMath.Exp(double.NaN)));
    }

    [Fact]
    public void Tanh_IsAccurateFarBeyondFloat_NearZeroAndFarOut()
    {
        foreach (double x in new[] { 1e-12, -3e-7, 9.9e-5, 0.0099, -0.0101, 0.03, -0.5, 1, 3.3, -7, 20, 400 })
            Assert.True(Math.Abs(ActivationMath.Tanh(x) - Math.Tanh(x)) <= 1e-14 * Math.Abs(Math.Tanh(x)), $"tanh({x}) = {ActivationMath.Tanh(x):R}, expected {Math.Tanh(x):R}");
    }

    [Fact]
    public void Erfc_HasARelativeErrorBelow1EMinus13_IntoTheFarTail()
    {
        for (double z = -6; z <= 26; z += 0.0123)
        {
            double expected = SpecialFunctions.Erfc(z);
            Assert.True(Math.Abs(ActivationMath.Erfc(z) - expected) <= 1e-13 * expected, $"erfc({z}) = {ActivationMath.Erfc(z):R}, expected {expected:R}");
        }
    }
}
