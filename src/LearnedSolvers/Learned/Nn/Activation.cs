namespace LearnedSolvers.Learned.Nn;

/// <summary>Point-wise activation functions, as PyTorch defines them (GELU: the exact erf form).</summary>
public enum Activation
{
    Identity,
    Relu,
    Gelu,
    Tanh,
}
