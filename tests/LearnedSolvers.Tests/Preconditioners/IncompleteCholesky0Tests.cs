using LearnedSolvers.Devices;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Problems;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Preconditioners;

public class IncompleteCholesky0Tests
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(17, 3)]
    [InlineData(300, 4)]
    public void OnTridiagonal_IsTheExactCholesky(int n, int seed)
    {
        var a = PreconditionerChecks.Tridiagonal(n, seed, symmetric: true);
        var r = RandomSystems.Vector(n, seed + 10);
        var z = PreconditionerChecks.Apply(new IncompleteCholesky0(a), r);
        Assert.True(Reference.RelativeMaxError(z, Reference.DenseSolve(a, r)) < 1e-12);
    }

    [Theory]
    [InlineData(60, 7)]
    [InlineData(90, 8)]
    public void LTimesLTransposed_EqualsA_OnItsPattern_AndIsSymmetric(int n, int seed)
    {
        var a = RandomSystems.Spd(n, seed, perRow: 8);
        var ic = new IncompleteCholesky0(a);
        var m = PreconditionerChecks.DenseM(ic);
        Assert.True(PreconditionerChecks.PatternMismatch(a, m) < 1e-10);
        Assert.True(PreconditionerChecks.FillOutsidePattern(a, m) > 1e-4, "a random pattern produces fill, so M must differ from A somewhere");
        Assert.True(PreconditionerChecks.SymmetryDefect(ic, seed) < 1e-13);
        Assert.True(ic.IsSymmetric);
    }

    [Fact]
    public void Shift_FactorsAPlusShiftTimesDiagonal()
    {
        var a = RandomSystems.Spd(120, 12);
        var shifted = a.WithValues(a.Values.Select((v, k) => a.ColumnIndices[k] == a.RowOf(k) ? v * 1.25 : v).ToArray());
        var r = RandomSystems.Vector(120, 13);
        var viaShift = PreconditionerChecks.Apply(new IncompleteCholesky0(a, diagonalShift: 0.25), r);
        var viaMatrix = PreconditionerChecks.Apply(new IncompleteCholesky0(shifted), r);
        Assert.True(Reference.RelativeMaxError(viaShift, viaMatrix) < 1e-14);
    }

    [Fact]
    public void IndefiniteMatrix_RaisesZeroPivot_AtTheFailingRow()
    {
        // [[1, 2], [2, 1]] is symmetric indefinite: the second pivot is 1 − 4 = −3.
        var a = CsrMatrix.FromTriplets(2, 2, [0, 0, 1, 1], [0, 1, 0, 1], [1.0, 2.0, 2.0, 1.0]);
        var e = Assert.Throws<ZeroPivotException>(() => new IncompleteCholesky0(a));
        Assert.Equal(1, e.Row);
        Assert.Equal(-3.0, e.Pivot, 12);
        var negative = CsrMatrix.FromTriplets(1, 1, [0], [0], [-1.0]);
        Assert.Equal(0, Assert.Throws<ZeroPivotException>(() => new IncompleteCholesky0(negative)).Row);
    }

    [Fact]
    public void NonsymmetricMatrix_IsRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => new IncompleteCholesky0(RandomSystems.Nonsymmetric(20, 1)));
        Assert.Contains("symmetric", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new IncompleteCholesky0(RandomSystems.Spd(5, 1), diagonalShift: -1));
    }

    [Fact]
    public void UpdateValues_MatchesAFreshFactorization()
    {
        var a = Diffusion.Generate(new DiffusionOptions { GridSize = 24, TargetContrast = 100, Seed = 1 }).Matrix;
        var a2 = Diffusion.Generate(new DiffusionOptions { GridSize = 24, TargetContrast = 100, Seed = 2 }).Matrix;
        Assert.True(a.HasSamePattern(a2));
        var ic = new IncompleteCholesky0(a);
        ic.UpdateValues(a2);
        var r = RandomSystems.Vector(a.Rows, 3);
        Assert.Equal(PreconditionerChecks.Apply(new IncompleteCholesky0(a2), r), PreconditionerChecks.Apply(ic, r));
    }

    [Fact]
    public void SpeedsUpCg_OnPoisson()
    {
        var s = Poisson.TwoD(64);
        var cpu = Device.Cpu;
        var a = cpu.Upload(s.Matrix);
        var plain = new ConjugateGradient(a).Solve(cpu.Upload(s.RightHandSide), cpu.Allocate(s.Size));
        var x = cpu.Allocate(s.Size);
        var result = new ConjugateGradient(a, new IncompleteCholesky0(s.Matrix)).Solve(cpu.Upload(s.RightHandSide), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.Matrix, x.ToArray(), s.RightHandSide) <= 1e-8);
        Assert.True(result.Iterations * 2 < plain.Iterations, $"IC(0) {result.Iterations} vs none {plain.Iterations}");
    }

    /// <summary>Kershaw's 4 x 4 SPD matrix, on which IC(0) meets a negative pivot (−5) in the last row.</summary>
    internal static CsrMatrix Kershaw() => CsrMatrix.FromTriplets(4, 4,
        [0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3],
        [0, 1, 3, 0, 1, 2, 1, 2, 3, 0, 2, 3],
        [3.0, -2, 2, -2, 3, -2, -2, 3, -2, 2, -2, 3]);

    [Fact]
    public void GrowingShift_SucceedsWhereIc0BreaksDown_WithTheFirstShiftThatWorks()
    {
        var a = Kershaw();
        Assert.Equal(3, Assert.Throws<ZeroPivotException>(() => new IncompleteCholesky0(a)).Row);
        var ic = IncompleteCholesky0.WithGrowingShift(a);
        // 10⁻³ · 2⁸: the pivot is −0.35 at 0.128 and positive at 0.256.
        Assert.Equal(0.256, ic.DiagonalShift, 1e-15);
        Assert.Throws<ZeroPivotException>(() => new IncompleteCholesky0(a, ic.DiagonalShift / 2));
        var r = RandomSystems.Vector(4, 5);
        Assert.Equal(PreconditionerChecks.Apply(new IncompleteCholesky0(a, ic.DiagonalShift), r), PreconditionerChecks.Apply(ic, r));
        var x = Device.Cpu.Allocate(4);
        var result = new ConjugateGradient(Device.Cpu.Upload(a), ic).Solve(Device.Cpu.Upload(r), x);
        Assert.True(result.Converged, result.ToString());
    }

    [Fact]
    public void GrowingShift_StaysAtTheInitialShift_WhenThatWorks()
    {
        var a = Poisson.TwoD(9).Matrix;
        Assert.Equal(0.0, IncompleteCholesky0.WithGrowingShift(a).DiagonalShift);
        Assert.Equal(0.01, IncompleteCholesky0.WithGrowingShift(a, initialShift: 0.01).DiagonalShift);
    }

    [Fact]
    public void GrowingShift_BelowTheShiftNeeded_RaisesTheLastZeroPivot()
    {
        var e = Assert.Throws<ZeroPivotException>(() => IncompleteCholesky0.WithGrowingShift(Kershaw(), maxShift: 0.2));
        Assert.Equal(3, e.Row);
        Assert.Equal(-0.35, e.Pivot, 2); // at 0.128, the last shift not above 0.2
        Assert.Throws<ArgumentOutOfRangeException>(() => IncompleteCholesky0.WithGrowingShift(Kershaw(), initialShift: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IncompleteCholesky0.WithGrowingShift(Kershaw(), initialShift: 0.5, maxShift: 0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => IncompleteCholesky0.WithGrowingShift(Kershaw(), maxShift: double.PositiveInfinity));
    }
}
