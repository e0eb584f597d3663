namespace LearnedSolvers.Learned.Nn;

/// <summary>
/// PyTorch's default initialization of convolution and linear layers (kaiming_uniform with a = √5): weights and biases
/// uniform in ±1/√fan_in, fan_in = input channels × kernel volume; drawn from a seeded generator so that a seed fixes
/// the network.
/// </summary>
public static class ParameterInitialization
{
    /// <summary>Values uniform in ±1/√<paramref name="fanIn"/>.</summary>
    public static float[] Uniform(int count, int fanIn, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 1);
        ArgumentNullException.ThrowIfNull(random);
        float bound = 1f / MathF.Sqrt(fanIn);
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((2 * random.NextDouble() - 1) * bound);
        return values;
    }
}
