namespace LearnedSolvers.Learned.Factors;

/// <summary>Four vectors reused across <see cref="FactorLoss"/> calls of one size.</summary>
internal sealed class FactorLossWorkspace
{
    private double[] _first = [], _second = [], _third = [], _fourth = [];

    public Span<double> First(int n) => Get(ref _first, n);
    public Span<double> Second(int n) => Get(ref _second, n);
    public Span<double> Third(int n) => Get(ref _third, n);
    public Span<double> Fourth(int n) => Get(ref _fourth, n);

    private static Span<double> Get(ref double[] array, int n)
    {
        if (array.Length < n) array = new double[n];
        return array.AsSpan(0, n);
    }
}
