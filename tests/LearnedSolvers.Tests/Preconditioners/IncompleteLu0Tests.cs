using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class IncompleteLu0Tests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(17, 3)]
    [InlineData(300, 4)]
    public void OnTridiagonal_IsTheExactLu(int n, int seed)
    {
        var a = PreconditionerChecks.Tridiagonal(n, seed, symmetric: false);
        var r = RandomSystems.Vector(n, seed + 10);
        var z = PreconditionerChecks.Apply(new IncompleteLu0(a), r);
        Assert.True(Reference.RelativeMaxError(z, Reference.DenseSolve(a, r)) < 1e-12);
    }

    [Fact]
    public void OnAFullPattern_IsTheExactLu()
    {
        const int n = 30;
        var rng = new Random(5);
        var b = new TripletBuilder(n, n);
        for (int i = 0; i < n; i++)
            for (int j = 0; j < n; j++)
                b.Add(i, j, i == j ? n + rng.NextDouble() : rng.NextDouble() * 2 - 1);
        var a = b.ToCsr();
        var r = RandomSystems.Vector(n, 6);
        var z = PreconditionerChecks.Apply(new IncompleteLu0(a), r);
        Assert.True(Reference.RelativeMaxError(z, Reference.DenseSolve(a, r)) < 1e-12);
    }

    [Theory]
    [InlineData(60, 7)]
    [InlineData(90, 8)]
    public void LTimesU_EqualsA_OnItsPattern_AndDropsFillElsewhere(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed);
        var m = PreconditionerChecks.DenseM(new IncompleteLu0(a));
        Assert.True(PreconditionerChecks.PatternMismatch(a, m) < 1e-10);
        Assert.True(PreconditionerChecks.FillOutsidePattern(a, m) > 1e-3, "a random pattern produces fill, so M must differ from A somewhere");
    }

    [Fact]
    public void ZeroOrMissingDiagonal_RaisesZeroPivot_NamingTheRow()
    {
        var missing = CsrMatrix.FromTriplets(3, 3, [0, 1, 2, 2], [0, 0, 1, 2], [2.0, 1.0, 1.0, 3.0]);
        Assert.Equal(1, Assert.Throws<ZeroPivotException>(() => new IncompleteLu0(missing)).Row);

        // Row 1's pivot becomes zero by elimination: 1 − (1/1)·1 = 0.
        var cancels = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 1.0, 1.0, 1.0]);
        var e = Assert.Throws<ZeroPivotException>(() => new IncompleteLu0(cancels));
        Assert.Equal(1, e.Row);
        Assert.Equal(0.0, e.Pivot);
    }

    [Fact]
    public void UpdateValues_MatchesAFreshFactorization()
    {
        var a = RandomSystems.Nonsymmetric(200, 9);
        var values = a.Values.Select((v, k) => v * (1 + 0.1 * Math.Sin(k))).ToArray();
        var a2 = a.WithValues(values);
        var ilu = new IncompleteLu0(a);
        ilu.UpdateValues(a2);
        var r = RandomSystems.Vector(200, 10);
        Assert.Equal(PreconditionerChecks.Apply(new IncompleteLu0(a2), r), PreconditionerChecks.Apply(ilu, r));
        Assert.Throws<ArgumentException>(() => ilu.UpdateValues(RandomSystems.Nonsymmetric(200, 11)));
    }

    [Fact]
    public void SpeedsUpGmres_OnConvectionDiffusion()
    {
        var s = ConvectionDiffusion.Generate(new ConvectionDiffusionOptions { GridSize = 40, Peclet = 50, Seed = 3 });
        var cpu = Device.Cpu;
        var a = cpu.Upload(s.Matrix);
        var plainX = cpu.Allocate(s.Size);
        var plain = new Gmres(a).Solve(cpu.Upload(s.RightHandSide), plainX);
        var x = cpu.Allocate(s.Size);
        var result = new Gmres(a, new IncompleteLu0(s.Matrix)).Solve(cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.True(result.Iterations * 3 < plain.Iterations, $"ILU(0) {result.Iterations} vs none {plain.Iterations}");
    }
}
