using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class SsorTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(1.7)]
    public void Apply_MatchesTheDenseFormula(double omega)
    {
        const int n = 70;
        var a = RandomSystems.Nonsymmetric(n, 21);
        var r = RandomSystems.Vector(n, 22);
        var dense = a.ToDense();
        // M⁻¹ r = ω(2 − ω) (D + ωU)⁻¹ D (D + ωL)⁻¹ r, by dense substitution.
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double s = r[i];
            for (int j = 0; j < i; j++) s -= omega * dense[i, j] * y[j];
            y[i] = s / dense[i, i];
        }
        for (int i = 0; i < n; i++) y[i] *= omega * (2 - omega) * dense[i, i];
        var z = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double s = y[i];
            for (int j = i + 1; j < n; j++) s -= omega * dense[i, j] * z[j];
            z[i] = s / dense[i, i];
        }
        Assert.True(Reference.RelativeMaxError(PreconditionerChecks.Apply(new Ssor(a, omega), r), z) < 1e-13);
    }

    [Fact]
    public void IsSymmetric_ForASymmetricMatrix()
    {
        var ssor = new Ssor(RandomSystems.Spd(150, 23), 1.3);
        Assert.True(ssor.IsSymmetric);
        Assert.True(PreconditionerChecks.SymmetryDefect(ssor, 24) < 1e-13);
        Assert.False(new Ssor(RandomSystems.Nonsymmetric(30, 25)).IsSymmetric);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(2.0)]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    public void OmegaOutsideZeroToTwo_IsRejected(double omega) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new Ssor(RandomSystems.Spd(5, 1), omega));

    [Fact]
    public void ZeroDiagonal_RaisesZeroPivot()
    {
        var a = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 1.0, 1.0, 0.0]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => new Ssor(a)).Row);
    }

    [Fact]
    public void SpeedsUpCg_OnPoisson()
    {
        var s = Poisson.TwoD(64);
        var cpu = Device.Cpu;
        var a = cpu.Upload(s.Matrix);
        var plain = new ConjugateGradient(a).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        var x = cpu.Allocate(s.Size);
        var result = new ConjugateGradient(a, new Ssor(s.Matrix, 1.5)).Solve(cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.True(result.Iterations * 2 < plain.Iterations, $"SSOR {result.Iterations} vs none {plain.Iterations}");
    }
}
