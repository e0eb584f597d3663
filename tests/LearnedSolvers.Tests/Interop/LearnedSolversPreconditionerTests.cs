using LearnedSolvers.Interop;
using LearnedSolvers.Krylov;
using LearnedSolvers.Preconditioners;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNetBiCgStab = MathNet.Numerics.LinearAlgebra.Double.Solvers.BiCgStab;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace LearnedSolvers.Tests.Interop;

public class LearnedSolversPreconditionerTests
{
    [Theory]
    [InlineData(3, 1)]
    [InlineData(997, 2)]
    public void Approximate_EqualsJacobi_OnRandomVectors(int n, int seed)
    {
        var a = RandomSystems.Nonsymmetric(n, seed);
        var m = new LearnedSolversPreconditioner(new Jacobi(a));
        m.Initialize(MathNetConversions.ToMathNet(a));
        var d = a.Diagonal();
        var r = RandomSystems.Vector(n, seed + 1);
        var z = new DenseVector(n);
        m.Approximate(DenseVector.OfArray(r), z);
        for (int i = 0; i < n; i++) Assert.Equal(1.0 / d[i] * r[i], z[i]);
    }

    [Fact]
    public void MathNetBiCgStab_WithOurJacobi_Converges()
    {
        var a = RandomSystems.Nonsymmetric(1201, 3);
        var b = RandomSystems.Vector(1201, 4);
        var iterator = new Iterator<double>(new IterationCountStopCriterion<double>(2000), new ResidualStopCriterion<double>(1e-10));
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), new MathNetBiCgStab(), iterator, new LearnedSolversPreconditioner(new Jacobi(a)));
        MathNetSolverTests.AssertConvergedInMathNetSense(a, b, x, iterator, 1e-10);
    }

    [Fact]
    public void MathNetBiCgStab_WithJacobiFactory_BuildsItFromTheMatrix()
    {
        var a = RandomSystems.Nonsymmetric(501, 5);
        var b = RandomSystems.Vector(501, 6);
        var m = new LearnedSolversPreconditioner(matrix => new Jacobi(matrix));
        Assert.Null(m.Preconditioner);
        var iterator = new Iterator<double>(new IterationCountStopCriterion<double>(2000), new ResidualStopCriterion<double>(1e-10));
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), new MathNetBiCgStab(), iterator, m);
        Assert.IsType<Jacobi>(m.Preconditioner);
        MathNetSolverTests.AssertConvergedInMathNetSense(a, b, x, iterator, 1e-10);
    }

    [Fact]
    public void MathNetSolver_UnwrapsOurPreconditioner_SoCgAcceptsJacobi()
    {
        var a = RandomSystems.Spd(700, 7);
        var b = RandomSystems.Vector(700, 8);
        var iterator = new Iterator<double>(new IterationCountStopCriterion<double>(2000), new ResidualStopCriterion<double>(1e-10));
        var m = new LearnedSolversPreconditioner(matrix => new Jacobi(matrix));
        var x = MathNetConversions.ToMathNet(a).SolveIterative(DenseVector.OfArray(b), new MathNetSolver(KrylovMethod.Cg), iterator, m);
        Assert.IsType<Jacobi>(m.Preconditioner);
        MathNetSolverTests.AssertConvergedInMathNetSense(a, b, x, iterator, 1e-10);
    }

    [Fact]
    public void SharedBetweenSolvers_IsRebuiltForEachMatrix()
    {
        var a = RandomSystems.Spd(300, 10);
        var other = RandomSystems.Spd(300, 11);
        var b = RandomSystems.Vector(300, 12);
        var m = new LearnedSolversPreconditioner(matrix => new Jacobi(matrix));
        var ours = new MathNetSolver(KrylovMethod.Cg);
        var ma = MathNetConversions.ToMathNet(a);
        ma.SolveIterative(DenseVector.OfArray(b), ours, Criteria(), m);
        // MathNet's solver re-initializes the shared preconditioner for another matrix in between.
        MathNetConversions.ToMathNet(other).SolveIterative(DenseVector.OfArray(b), new MathNetBiCgStab(), Criteria(), m);
        var iterator = Criteria();
        var x = ma.SolveIterative(DenseVector.OfArray(b), ours, iterator, m);
        MathNetSolverTests.AssertConvergedInMathNetSense(a, b, x, iterator, 1e-10);
        Assert.Equal(a.Diagonal().Select(d => 1.0 / d), Approximated(m, 300));
    }

    private static Iterator<double> Criteria() =>
        new(new IterationCountStopCriterion<double>(2000), new ResidualStopCriterion<double>(1e-10));

    private static double[] Approximated(LearnedSolversPreconditioner m, int n)
    {
        var z = new DenseVector(n);
        m.Approximate(DenseVector.Create(n, 1.0), z);
        return z.ToArray();
    }

    [Fact]
    public void Approximate_BeforeInitialize_Throws()
    {
        var m = new LearnedSolversPreconditioner(matrix => new Jacobi(matrix));
        Assert.Throws<InvalidOperationException>(() => m.Approximate(new DenseVector(3), new DenseVector(3)));
    }

    [Fact]
    public void Initialize_WithAMatrixOfAnotherSize_Throws()
    {
        var m = new LearnedSolversPreconditioner(new Jacobi(RandomSystems.Spd(10, 9)));
        Assert.Throws<ArgumentException>(() => m.Initialize(new SparseMatrix(11, 11)));
    }
}
