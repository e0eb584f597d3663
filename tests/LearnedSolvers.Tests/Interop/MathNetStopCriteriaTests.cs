using LearnedSolvers.Interop;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace LearnedSolvers.Tests.Interop;

public class MathNetStopCriteriaTests
{
    [Fact]
    public void From_ReadsMathNetsDefaults()
    {
        var c = MathNetStopCriteria.From(new Iterator<double>(Matrix<double>.Build.IterativeSolverStopCriteria()));
        Assert.Equal(1000, c.MaximumIterations);
        Assert.Equal(1e-12, c.ResidualTolerance);
    }

    [Fact]
    public void From_TakesTheStricterOfRepeatedCriteria_AndIgnoresOthers()
    {
        var c = MathNetStopCriteria.From(new Iterator<double>(
            new IterationCountStopCriterion<double>(300),
            new ResidualStopCriterion<double>(1e-6),
            new DivergenceStopCriterion<double>(),
            new IterationCountStopCriterion<double>(40),
            new ResidualStopCriterion<double>(1e-9),
            new FailureStopCriterion<double>()));
        Assert.Equal(40, c.MaximumIterations);
        Assert.Equal(1e-9, c.ResidualTolerance);
        Assert.Equal(new MathNetStopCriteria(null, null), MathNetStopCriteria.From(new Iterator<double>(new FailureStopCriterion<double>())));
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1000, 2)]
    public void ToSolverOptions_ImpliesMathNetsInfinityNormTest_WithinAFactorTwo(int n, int seed)
    {
        var b = RandomSystems.Vector(n, seed, -3, 5);
        var options = new MathNetStopCriteria(77, 1e-7).ToSolverOptions(b);
        double inf = b.Max(Math.Abs), two = Math.Sqrt(b.Sum(v => v * v));
        // ‖r‖₂ ≤ rtol ‖b‖₂ must imply ‖r‖∞ < tol ‖b‖∞, and ask for at most twice that.
        Assert.InRange(options.RelativeTolerance * two, 0.5 * 1e-7 * inf, 1e-7 * inf);
        Assert.Equal(0, options.AbsoluteTolerance);
        Assert.Equal(77, options.MaxIterations);
        Assert.False(options.RecordHistory);
    }

    [Fact]
    public void ToSolverOptions_WithoutCriteria_RunsUntilExactlyZeroOrTheMethodStops()
    {
        var options = new MathNetStopCriteria(null, null).ToSolverOptions(RandomSystems.Vector(5, 3));
        Assert.Equal(int.MaxValue, options.MaxIterations);
        Assert.Equal(0, options.RelativeTolerance);
        Assert.Equal(double.Epsilon, options.AbsoluteTolerance);
        options.Validate();
    }

    [Fact]
    public void ToSolverOptions_ZeroOrNaNRightHandSide_GivesValidOptions()
    {
        new MathNetStopCriteria(10, 1e-8).ToSolverOptions(new double[4]).Validate();
        new MathNetStopCriteria(10, 1e-8).ToSolverOptions([1.0, double.NaN]).Validate();
    }
}
