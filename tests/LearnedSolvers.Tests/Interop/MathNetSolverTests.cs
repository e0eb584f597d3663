using LearnedSolvers.Interop;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Double.Solvers;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace LearnedSolvers.Tests.Interop;

public class MathNetSolverTests
{
    private const double Tolerance = 1e-10;

    private static Iterator<double> Criteria(int maxIterations = 5000, double tolerance = Tolerance) =>
        new(new IterationCountStopCriterion<double>(maxIterations), new ResidualStopCriterion<double>(tolerance));

    [Theory]
    [InlineData(1, 1)]
    [InlineData(517, 2)]
    [InlineData(2003, 3)]
    public void Cg_ThroughSolveIterative_ConvergesOnRandomSpd(int n, int seed)
    {
        var a = RandomSystems.Spd(n, seed);
        var b = RandomSystems.Vector(n, seed + 100);
        var iterator = Criteria();
        var solver = new MathNetSolver(KrylovMethod.Cg);
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), solver, iterator);
        AssertConvergedInMathNetSense(a, b, x, iterator, Tolerance);
        Assert.Equal(StopReason.ConvergedRelative, solver.LastResult!.Reason);
    }

    [Theory]
    [InlineData(2, 4, 30)]
    [InlineData(499, 5, 20)]
    [InlineData(1501, 6, 10)]
    public void Gmres_ThroughSolveIterative_ConvergesOnRandomNonsymmetric(int n, int seed, int restart)
    {
        var a = RandomSystems.Nonsymmetric(n, seed);
        var b = RandomSystems.Vector(n, seed + 100);
        var iterator = Criteria();
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), new MathNetSolver(KrylovMethod.Gmres, restart), iterator);
        AssertConvergedInMathNetSense(a, b, x, iterator, Tolerance);
    }

    [Theory]
    [InlineData(KrylovMethod.Pcg)]
    [InlineData(KrylovMethod.Fcg)]
    [InlineData(KrylovMethod.Fgmres)]
    [InlineData(KrylovMethod.BiCgStab)]
    public void EveryMethod_ThroughSolveIterative_ConvergesOnRandomSpd(KrylovMethod method)
    {
        var a = RandomSystems.Spd(301, 7);
        var b = RandomSystems.Vector(301, 8);
        var iterator = Criteria();
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), new MathNetSolver(method), iterator, new DiagonalPreconditioner());
        AssertConvergedInMathNetSense(a, b, x, iterator, Tolerance);
    }

    [Fact]
    public void DefaultIterator_ConvergesToMathNetsDefaultTolerance()
    {
        var a = RandomSystems.Nonsymmetric(200, 9);
        var b = RandomSystems.Vector(200, 10);
        var m = MathNetConversions.ToMathNet(a);
        var x = new DenseVector(200);
        var status = m.TrySolveIterative(DenseVector.OfArray(b), x, new MathNetSolver(KrylovMethod.Gmres));
        Assert.Equal(IterationStatus.Converged, status);
        Assert.True(InfinityNormResidual(a, b, x.ToArray()) < 1e-12 * b.Max(Math.Abs));
    }

    [Fact]
    public void IterationLimitTwo_ReportsStoppedWithoutConvergence()
    {
        var a = RandomSystems.Nonsymmetric(400, 11, dominance: 0.6);
        var b = RandomSystems.Vector(400, 12);
        var iterator = Criteria(maxIterations: 2);
        var solver = new MathNetSolver(KrylovMethod.Gmres);
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), solver, iterator);
        Assert.Equal(IterationStatus.StoppedWithoutConvergence, iterator.Status);
        Assert.Equal(StopReason.MaxIterations, solver.LastResult!.Reason);
        Assert.Equal(2, solver.LastResult.Iterations);
        // Two steps from zero still make progress, and x is the iterate they reached.
        double residual = Reference.TrueRelativeResidual(a, x.ToArray(), b);
        Assert.InRange(residual, 1e-6, 0.999);
        Assert.Equal(solver.LastResult.RelativeResidual, residual, 1e-12);
    }

    [Fact]
    public void InitialGuess_IsTheResultVector()
    {
        var a = RandomSystems.Spd(300, 13);
        var b = RandomSystems.Vector(300, 14);
        var exact = Reference.DenseSolve(a, b);
        var x = DenseVector.OfArray(exact);
        var solver = new MathNetSolver(KrylovMethod.Cg);
        var iterator = Criteria();
        solver.Solve(MathNetConversions.ToMathNet(a), DenseVector.OfArray(b), x, iterator, new UnitPreconditioner<double>());
        Assert.Equal(IterationStatus.Converged, iterator.Status);
        Assert.True(solver.LastResult!.Iterations <= 1, solver.LastResult.ToString());
    }

    [Fact]
    public void RepeatedSolves_ReuseTheConversion_UntilAValueChanges()
    {
        var a = RandomSystems.Spd(250, 15);
        var m = MathNetConversions.ToMathNet(a);
        var solver = new MathNetSolver(KrylovMethod.Cg);
        for (int k = 0; k < 3; k++)
        {
            var b = RandomSystems.Vector(250, 16 + k);
            var iterator = Criteria();
            var x = m.SolveIterative(DenseVector.OfArray(b), solver, iterator, new DiagonalPreconditioner());
            AssertConvergedInMathNetSense(a, b, x, iterator, Tolerance);
        }
        Assert.Equal(1, solver.Conversions);

        // An in-place change of one value must be seen: the solve is then for the new matrix.
        m[0, 0] *= 3;
        var changed = MathNetConversions.FromMathNet(m);
        var b2 = RandomSystems.Vector(250, 30);
        var it2 = Criteria();
        var x2 = m.SolveIterative(DenseVector.OfArray(b2), solver, it2, new DiagonalPreconditioner());
        Assert.Equal(2, solver.Conversions);
        AssertConvergedInMathNetSense(changed, b2, x2, it2, Tolerance);
    }

    [Fact]
    public void DenseMatrix_IsConverted_AndCachedByValue()
    {
        var a = RandomSystems.Nonsymmetric(60, 17);
        var m = DenseMatrix.OfArray(a.ToDense());
        var solver = new MathNetSolver(KrylovMethod.Gmres);
        var b = RandomSystems.Vector(60, 18);
        var iterator = Criteria();
        AssertConvergedInMathNetSense(a, b, m.SolveIterative(DenseVector.OfArray(b), solver, iterator), iterator, Tolerance);
        m.SolveIterative(DenseVector.OfArray(b), solver, Criteria());
        Assert.Equal(1, solver.Conversions);
        m[5, 7] += 0.25;
        m.SolveIterative(DenseVector.OfArray(b), solver, Criteria());
        Assert.Equal(2, solver.Conversions);
    }

    [Fact]
    public void SeveralRightHandSides_ThroughMathNetsMatrixSolve_AllConverge()
    {
        // MathNet reuses one iterator for every column without resetting it.
        var a = RandomSystems.Nonsymmetric(180, 19);
        var bs = DenseMatrix.OfColumnArrays(RandomSystems.Vector(180, 20), RandomSystems.Vector(180, 21), RandomSystems.Vector(180, 22));
        var xs = new DenseMatrix(180, 3);
        var solver = new MathNetSolver(KrylovMethod.Gmres);
        var status = MathNetConversions.ToMathNet(a).TrySolveIterative(bs, xs, solver, Criteria());
        Assert.Equal(IterationStatus.Converged, status);
        for (int j = 0; j < 3; j++)
            Assert.True(InfinityNormResidual(a, bs.Column(j).ToArray(), xs.Column(j).ToArray()) < Tolerance * bs.Column(j).InfinityNorm());
    }

    [Fact]
    public void CancelledIterator_LeavesResultUntouched()
    {
        var a = RandomSystems.Spd(50, 23);
        var guess = RandomSystems.Vector(50, 24);
        var x = DenseVector.OfArray((double[])guess.Clone());
        var iterator = Criteria();
        iterator.Cancel();
        new MathNetSolver(KrylovMethod.Cg).Solve(MathNetConversions.ToMathNet(a), DenseVector.OfArray(RandomSystems.Vector(50, 25)), x, iterator, null!);
        Assert.Equal(IterationStatus.Cancelled, iterator.Status);
        Assert.Equal(guess, x.ToArray());
    }

    [Fact]
    public void NaNInRightHandSide_ReportsFailure_WithMathNetsDefaultCriteria()
    {
        var a = RandomSystems.Spd(40, 26);
        var b = RandomSystems.Vector(40, 27);
        b[3] = double.NaN;
        var iterator = new Iterator<double>(Matrix<double>.Build.IterativeSolverStopCriteria());
        var solver = new MathNetSolver(KrylovMethod.Cg);
        MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), solver, iterator);
        Assert.Equal(IterationStatus.Failure, iterator.Status);
        Assert.Equal(StopReason.NaNOrInfinity, solver.LastResult!.Reason);
    }

    [Fact]
    public void NaNInRightHandSide_ReportsDiverged_WithOnlyAResidualCriterion()
    {
        var a = RandomSystems.Spd(40, 28);
        var b = RandomSystems.Vector(40, 29);
        b[0] = double.NaN;
        var iterator = new Iterator<double>(new ResidualStopCriterion<double>(1e-8), new IterationCountStopCriterion<double>(100));
        MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), new MathNetSolver(KrylovMethod.Cg), iterator);
        Assert.Equal(IterationStatus.Diverged, iterator.Status);
    }

    [Fact]
    public void Breakdown_ReportsStoppedWithoutConvergence_WhenTheIteratorHasALimit()
    {
        var (m, b) = SingularOnKrylovSpace();
        var iterator = Criteria(maxIterations: 100);
        var solver = new MathNetSolver(KrylovMethod.Gmres);
        m.SolveIterative(b, solver, iterator);
        Assert.Equal(StopReason.Breakdown, solver.LastResult!.Reason);
        Assert.Equal(IterationStatus.StoppedWithoutConvergence, iterator.Status);
    }

    [Fact]
    public void Breakdown_ThrowsNumericalBreakdown_WhenNoCriterionApplies()
    {
        var (m, b) = SingularOnKrylovSpace();
        var iterator = new Iterator<double>(new ResidualStopCriterion<double>(1e-8));
        var e = Assert.Throws<NumericalBreakdownException>(() => m.SolveIterative(b, new MathNetSolver(KrylovMethod.Gmres), iterator));
        Assert.Contains(nameof(StopReason.Breakdown), e.Message);
    }

    [Fact]
    public void Cg_WithIlu0_RejectsTheNonsymmetricPreconditioner()
    {
        var m = MathNetConversions.ToMathNet(RandomSystems.Spd(30, 31));
        var e = Assert.Throws<ArgumentException>(() =>
            m.SolveIterative(DenseVector.OfArray(RandomSystems.Vector(30, 32)), new MathNetSolver(KrylovMethod.Cg), Criteria(), new ILU0Preconditioner()));
        Assert.Equal("preconditioner", e.ParamName);
    }

    [Fact]
    public void Constructor_RejectsRestartBelowOne_AndUnknownMethods()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MathNetSolver(KrylovMethod.Gmres, restart: 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MathNetSolver((KrylovMethod)99));
    }

    [Fact]
    public void Solve_RejectsMismatchedSizes_NamingTheArgument()
    {
        var m = MathNetConversions.ToMathNet(RandomSystems.Spd(10, 33));
        var solver = new MathNetSolver(KrylovMethod.Cg);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => solver.Solve(m, new DenseVector(9), new DenseVector(10), Criteria(), null!)).ParamName);
        Assert.Equal("result", Assert.Throws<ArgumentException>(() => solver.Solve(m, new DenseVector(10), new DenseVector(11), Criteria(), null!)).ParamName);
        Assert.Equal("matrix", Assert.Throws<ArgumentException>(() => solver.Solve(new SparseMatrix(10, 9), new DenseVector(10), new DenseVector(10), Criteria(), null!)).ParamName);
    }

    /// <summary>A = diag(1, 0), b = e₂: A r₀ = 0, so GMRES breaks down at its first step.</summary>
    private static (SparseMatrix, DenseVector) SingularOnKrylovSpace()
    {
        var builder = new TripletBuilder(2, 2);
        builder.Add(0, 0, 1);
        builder.Add(1, 1, 0);
        return (MathNetConversions.ToMathNet(builder.ToCsr()), DenseVector.OfArray([0.0, 1.0]));
    }

    /// <summary>Status Converged, MathNet's own test ‖b − Ax‖∞ &lt; tol ‖b‖∞, and the 2-norm relative residual it implies.</summary>
    internal static void AssertConvergedInMathNetSense(CsrMatrix a, double[] b, Vector<double> x, Iterator<double> iterator, double tolerance)
    {
        Assert.Equal(IterationStatus.Converged, iterator.Status);
        var xs = x.ToArray();
        Assert.True(InfinityNormResidual(a, b, xs) < tolerance * b.Max(Math.Abs), "MathNet's residual test fails.");
        double relative = Reference.TrueRelativeResidual(a, xs, b);
        Assert.True(relative <= tolerance, $"True relative residual {relative:E3} > {tolerance:E1}.");
    }

    /// <summary>‖b − Ax‖∞ by a plain serial loop.</summary>
    internal static double InfinityNormResidual(CsrMatrix a, double[] b, double[] x)
    {
        double max = 0;
        for (int i = 0; i < a.Rows; i++)
        {
            double s = 0;
            for (int k = a.RowPointers[i]; k < a.RowPointers[i + 1]; k++) s += a.Values[k] * x[a.ColumnIndices[k]];
            max = Math.Max(max, Math.Abs(b[i] - s));
        }
        return max;
    }
}
