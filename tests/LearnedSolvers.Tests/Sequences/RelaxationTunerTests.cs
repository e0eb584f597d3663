using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sequences;

public class RelaxationTunerTests(ITestOutputHelper output)
{
    [Fact]
    public void TsallisInf_FindsTheBestArm_OfAStochasticBandit()
    {
        var bandit = new TsallisInfBandit(arms: 8, seed: 1);
        var rng = new Random(2);
        int bestLate = 0;
        for (int t = 0; t < 3000; t++)
        {
            int arm = bandit.Choose();
            Assert.Equal(1.0, bandit.Probabilities.Sum(), 1e-12);
            Assert.All(bandit.Probabilities, p => Assert.True(p > 0));
            double mean = arm == 3 ? 0.2 : 0.5;
            bandit.Update(arm, rng.NextDouble() < mean ? 1 : 0);
            if (t >= 2000 && arm == 3) bestLate++;
        }
        Assert.True(bestLate > 800, $"best arm played {bestLate} of the last 1000 rounds");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(13)]
    [InlineData(19)]
    public void Unimodal_WalksToTheBestArm_OfANoisyUnimodalLoss(int best)
    {
        var bandit = new UnimodalBandit(arms: 20, start: 10);
        var rng = new Random(best);
        for (int t = 0; t < 300; t++)
        {
            int arm = bandit.Choose();
            bandit.Update(arm, 30 + 4 * Math.Abs(arm - best) + 3 * rng.NextDouble());
        }
        Assert.Equal(best, bandit.Leader);
        Assert.True(bandit.Plays[best] > 150, $"best arm played {bandit.Plays[best]} times");
        Assert.Equal(300, bandit.Rounds);
    }

    [Fact]
    public void TsallisInf_EnforcesTheProtocol()
    {
        var bandit = new TsallisInfBandit(3);
        Assert.Throws<InvalidOperationException>(() => bandit.Update(0, 0.5));
        int arm = bandit.Choose();
        Assert.Throws<InvalidOperationException>(() => bandit.Choose());
        Assert.Throws<InvalidOperationException>(() => bandit.Update((arm + 1) % 3, 0.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => bandit.Update(arm, 1.5));
        bandit.Update(arm, 0.25);
        Assert.Equal(1, bandit.Rounds);
    }

    [Fact]
    public void Sor_Converges_AndAGoodOmegaBeatsGaussSeidel()
    {
        var s = Poisson.TwoD(20);
        var cpu = Device.Cpu;
        int Iterations(double omega)
        {
            var x = cpu.Allocate(s.Size);
            var result = new SuccessiveOverRelaxation(s.Matrix, omega).Solve(cpu.Upload(s.RightHandSide), x);
            Assert.True(result.Converged, result.ToString());
            Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
            return result.Iterations;
        }
        // Optimal ω for the model problem: 2 / (1 + sin(π h)), h = 1/21.
        int optimal = Iterations(2 / (1 + Math.Sin(Math.PI / 21))), gaussSeidel = Iterations(1.0);
        Assert.True(optimal * 4 < gaussSeidel, $"ω* {optimal}, ω = 1 {gaussSeidel}");
        Assert.Throws<ArgumentOutOfRangeException>(() => new SuccessiveOverRelaxation(s.Matrix, 2.0));
    }

    /// <summary>
    /// The paper's setting at test scale: shifted Laplacians A + c_t I (n = 12, c_t uniform in [0, 2]), SOR to 1e-8,
    /// ω from linspace(1, 1.95, 20). Iteration counts are deterministic per (system, ω), so the table is computed once
    /// and both the bandit and every fixed ω are charged from it.
    /// </summary>
    [Fact]
    public void Bandit_OverASequence_ComesWithinTenPercentOfTheBestFixedOmega()
    {
        const int count = 200;
        var grid = RelaxationTuner.DefaultGrid();
        var rng = new Random(5);
        var shifts = Enumerable.Range(0, count).Select(_ => 2 * rng.NextDouble()).ToArray();
        var baseMatrix = Poisson.TwoD(12).Matrix;
        var b = RandomSystems.Vector(baseMatrix.Rows, 6);
        var table = new int[count, grid.Length];
        var cpu = Device.Cpu;
        var options = new SolverOptions(MaxIterations: 2000);
        for (int t = 0; t < count; t++)
        {
            var a = Shifted(baseMatrix, shifts[t]);
            var sor = new SuccessiveOverRelaxation(a, 1.0, options);
            for (int k = 0; k < grid.Length; k++)
            {
                sor.Omega = grid[k];
                table[t, k] = sor.Solve(cpu.Upload(b), cpu.Allocate(a.Rows)).Iterations;
            }
        }
        long bestFixed = Enumerable.Range(0, grid.Length).Min(k => Enumerable.Range(0, count).Sum(t => (long)table[t, k]));
        long Run(RelaxationTuner tuner)
        {
            long total = 0;
            for (int t = 0; t < count; t++)
            {
                int k = Array.IndexOf(grid, tuner.Next());
                total += table[t, k];
                tuner.Report(table[t, k]);
            }
            return total;
        }
        long banditTotal = Run(new RelaxationTuner(iterationScale: 2000));
        long tsallisTotal = Run(new RelaxationTuner(iterationScale: 200, seed: 7, strategy: RelaxationStrategy.TsallisInf));
        long gaussSeidel = Enumerable.Range(0, count).Sum(t => (long)table[t, 0]);
        output.WriteLine($"unimodal bandit {banditTotal}, Tsallis-INF {tsallisTotal}, best fixed ω {bestFixed}, ω = 1 {gaussSeidel}");
        Assert.True(banditTotal <= 1.1 * bestFixed, $"bandit {banditTotal} vs best fixed {bestFixed}");
    }

    [Fact]
    public void Contextual_BinsByContext_AndLearnsPerBin()
    {
        var tuner = new ContextualRelaxationTuner([0.5, 1.0], iterationScale: 100);
        Assert.Equal(3, tuner.Bins);
        Assert.Equal(0, tuner.BinOf(0.2));
        Assert.Equal(1, tuner.BinOf(0.5));
        Assert.Equal(2, tuner.BinOf(7));
        Assert.Throws<InvalidOperationException>(() => tuner.Report(3));
        double omega = tuner.Next(0.7);
        Assert.InRange(omega, 1.0, 1.95);
        tuner.Report(10);
        Assert.Throws<ArgumentException>(() => new ContextualRelaxationTuner([1.0, 0.5], 100));
    }

    private static CsrMatrix Shifted(CsrMatrix a, double shift)
    {
        var values = (double[])a.Values.Clone();
        for (int i = 0; i < a.Rows; i++) values[a.IndexOf(i, i)] += shift;
        return a.WithValues(values);
    }
}
