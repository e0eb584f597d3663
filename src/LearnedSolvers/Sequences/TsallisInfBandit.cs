namespace LearnedSolvers.Sequences;

/// <summary>
/// Tsallis-INF with the ½-Tsallis entropy (Zimmert and Seldin, JMLR 2021), the adversarial bandit that Learning to
/// Relax uses: arm probabilities p_i = 4 / (η_t (L̂_i − x))², x set by Newton's method so they sum to one, with
/// η_t = 2/√t and importance-weighted loss estimates L̂_i += ℓ/p_i for the arm played. Losses must lie in [0, 1].
/// Seeded, so a run is reproducible.
/// </summary>
public sealed class TsallisInfBandit
{
    private readonly double[] _cumulativeLoss;
    private readonly double[] _probabilities;
    private readonly Random _random;
    private int _round;
    private int _pending = -1;

    public TsallisInfBandit(int arms, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms, 1);
        _cumulativeLoss = new double[arms];
        _probabilities = new double[arms];
        _random = new Random(seed);
        Array.Fill(_probabilities, 1.0 / arms);
    }

    public int Arms => _cumulativeLoss.Length;

    /// <summary>Rounds completed (choices whose loss was reported).</summary>
    public int Rounds => _round;

    /// <summary>The distribution the next <see cref="Choose"/> samples from.</summary>
    public IReadOnlyList<double> Probabilities => _probabilities;

    /// <summary>Samples an arm for this round; report its loss with <see cref="Update"/> before choosing again.</summary>
    public int Choose()
    {
        if (_pending >= 0) throw new InvalidOperationException($"Arm {_pending} was chosen but its loss was not reported; call Update first.");
        UpdateProbabilities(_round + 1);
        double u = _random.NextDouble(), sum = 0;
        int arm = Arms - 1;
        for (int i = 0; i < Arms; i++)
        {
            sum += _probabilities[i];
            if (u < sum)
            {
                arm = i;
                break;
            }
        }
        _pending = arm;
        return arm;
    }

    /// <summary>Reports the loss ℓ ∈ [0, 1] of the arm <see cref="Choose"/> returned.</summary>
    public void Update(int arm, double loss)
    {
        if (arm != _pending) throw new InvalidOperationException($"Arm {arm} was not the one chosen this round ({_pending}).");
        if (!(loss >= 0 && loss <= 1)) throw new ArgumentOutOfRangeException(nameof(loss), loss, "Bandit losses must lie in [0, 1].");
        _cumulativeLoss[arm] += loss / _probabilities[arm];
        _round++;
        _pending = -1;
    }

    private void UpdateProbabilities(int t)
    {
        double eta = 2 / Math.Sqrt(t);
        double min = _cumulativeLoss.Min();
        // At x = min − 2/η the best arm alone has p = 1, so Σp ≥ 1. Σp(x) is increasing and convex left of the pole,
        // so Newton's steps from there decrease x monotonically to Σp = 1.
        double x = min - 2 / eta;
        for (int iteration = 0; iteration < 100; iteration++)
        {
            double sum = 0, slope = 0;
            for (int i = 0; i < Arms; i++)
            {
                double p = 4 / Square(eta * (_cumulativeLoss[i] - x));
                _probabilities[i] = p;
                sum += p;
                slope += eta * Math.Pow(p, 1.5);
            }
            if (Math.Abs(sum - 1) < 1e-13) break;
            x -= (sum - 1) / slope;
            if (x >= min) x = min - 1e-12; // stay left of the pole
        }
        double total = _probabilities.Sum();
        for (int i = 0; i < Arms; i++) _probabilities[i] /= total;
    }

    private static double Square(double v) => v * v;
}
