using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;

namespace LearnedSolvers.Tests.Krylov;

public class GramSchmidtTests
{
    private static readonly Device Cpu = Device.Cpu;
    private const int N = 3000; // above one basis chunk, so the chunked multi-vector kernels run in parallel

    /// <summary>An orthonormal basis of <paramref name="count"/> random vectors (Gram–Schmidt twice, in double on the host).</summary>
    private static double[][] Orthonormal(int count, int seed)
    {
        var rng = new Random(seed);
        var q = new double[count][];
        for (int j = 0; j < count; j++)
        {
            var v = new double[N];
            for (int i = 0; i < N; i++) v[i] = rng.NextDouble() - 0.5;
            for (int pass = 0; pass < 2; pass++)
                for (int l = 0; l < j; l++)
                {
                    double d = Dot(q[l], v);
                    for (int i = 0; i < N; i++) v[i] -= d * q[l][i];
                }
            double norm = Math.Sqrt(Dot(v, v));
            for (int i = 0; i < N; i++) v[i] /= norm;
            q[j] = v;
        }
        return q;
    }

    private static double Dot(double[] x, double[] y)
    {
        double s = 0;
        for (int i = 0; i < x.Length; i++) s += x[i] * y[i];
        return s;
    }

    /// <summary>w = Q a + scale·(random), so that ‖w − proj‖/‖w‖ ≈ scale: the cancellation the test asks for.</summary>
    private static double[] Mixture(double[][] q, double scale, int seed)
    {
        var rng = new Random(seed);
        var w = new double[N];
        for (int i = 0; i < N; i++) w[i] = scale * (rng.NextDouble() - 0.5);
        foreach (var v in q)
        {
            double a = rng.NextDouble() + 0.5;
            for (int i = 0; i < N; i++) w[i] += a * v[i];
        }
        return w;
    }

    [Theory]
    [InlineData(1.0, 6)]   // mild: one pass against the block
    [InlineData(1e-9, 6)]  // severe cancellation: the block is passed again
    [InlineData(1e-9, 0)]  // no block: plain CGS2 (Orthogonalize)
    public void OrthogonalizeAfterBlock_LeavesWOrthogonalToBlockAndKrylovVectors(double scale, int block)
    {
        const int krylov = 5;
        var q = Orthonormal(block + krylov, seed: 3);
        var basis = q.Select(v => Cpu.Upload(v)).ToArray();
        var tail = basis[block..];
        var original = Mixture(q, scale, seed: 4);
        var w = Cpu.Upload(original);
        var coefficients = new double[block + krylov];
        var scratch = new double[block + krylov];

        double norm = GramSchmidt.OrthogonalizeAfterBlock(Cpu, basis, block, block + krylov, tail, w, coefficients, scratch);

        var result = w.ToArray();
        Assert.Equal(Math.Sqrt(Dot(result, result)), norm, 1e-12 * norm);
        for (int j = 0; j < q.Length; j++)
        {
            Assert.True(Math.Abs(Dot(q[j], result)) <= 1e-13 * norm, $"q_{j}ᵀw = {Dot(q[j], result):E2} with ‖w‖ = {norm:E2} (scale {scale})");
            Assert.Equal(Dot(q[j], original), coefficients[j], 1e-12); // coefficients of both passes add up to Qᵀw
        }
        for (int i = 0; i < N; i++)
        {
            double rebuilt = result[i];
            for (int j = 0; j < q.Length; j++) rebuilt += coefficients[j] * q[j][i];
            Assert.Equal(original[i], rebuilt, 1e-12);
        }
    }
}
