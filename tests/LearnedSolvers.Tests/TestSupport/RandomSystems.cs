using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>Seeded random matrices and vectors for tests: never zeros, never the same data twice by accident.</summary>
public static class RandomSystems
{
    /// <summary>A sparse SPD matrix: random symmetric off-diagonal pattern (about <paramref name="perRow"/> per row), made diagonally dominant.</summary>
    public static CsrMatrix Spd(int n, int seed, int perRow = 5, double dominance = 1.05)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(n, n);
        var rowAbs = new double[n];
        for (int i = 0; i < n; i++)
        {
            for (int k = 0; k < perRow / 2; k++)
            {
                int j = rng.Next(n);
                if (j == i) continue;
                double v = rng.NextDouble() * 2 - 1;
                b.Add(i, j, v);
                b.Add(j, i, v);
                rowAbs[i] += Math.Abs(v);
                rowAbs[j] += Math.Abs(v);
            }
        }
        for (int i = 0; i < n; i++) b.Add(i, i, dominance * rowAbs[i] + 0.01 + rng.NextDouble());
        return b.ToCsr();
    }

    /// <summary>A sparse nonsymmetric matrix with a dominant (but not overwhelming) diagonal, so it is nonsingular and Krylov methods converge.</summary>
    public static CsrMatrix Nonsymmetric(int n, int seed, int perRow = 5, double dominance = 1.2)
    {
        var rng = new Random(seed);
        var b = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++)
        {
            double abs = 0;
            for (int k = 0; k < perRow; k++)
            {
                int j = rng.Next(n);
                if (j == i) continue;
                double v = rng.NextDouble() * 2 - 1;
                b.Add(i, j, v);
                abs += Math.Abs(v);
            }
            double sign = rng.Next(2) == 0 ? 1 : -1;
            b.Add(i, i, sign * (dominance * abs + 0.1 + rng.NextDouble()));
        }
        return b.ToCsr();
    }

    public static double[] Vector(int n, int seed, double low = -1, double high = 1)
    {
        var rng = new Random(seed);
        var v = new double[n];
        for (int i = 0; i < n; i++) v[i] = low + (high - low) * rng.NextDouble();
        return v;
    }
}
