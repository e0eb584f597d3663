using LearnedSolvers.Devices;
using LearnedSolvers.Interop;
using LearnedSolvers.Krylov;
using LearnedSolvers.Tests.TestSupport;
using MathNet.Numerics.LinearAlgebra.Double;
using MathNet.Numerics.LinearAlgebra.Double.Solvers;
using MathNet.Numerics.LinearAlgebra.Solvers;

namespace LearnedSolvers.Tests.Interop;

public class MathNetPreconditionerAdapterTests
{
    private static readonly Device Cpu = Device.Cpu;

    [Theory]
    [InlineData(1, 1)]
    [InlineData(211, 2)]
    public void Apply_EqualsMathNetsApproximate_OnRandomVectors(int n, int seed)
    {
        var m = MathNetConversions.ToMathNet(RandomSystems.Nonsymmetric(n, seed));
        var adapter = new MathNetPreconditionerAdapter(new ILU0Preconditioner(), m);
        var reference = new ILU0Preconditioner();
        reference.Initialize(m);
        for (int k = 0; k < 3; k++)
        {
            var r = RandomSystems.Vector(n, seed + 10 + k);
            var expected = new DenseVector(n);
            reference.Approximate(DenseVector.OfArray(r), expected);
            var z = Cpu.Allocate(n);
            adapter.Apply(Cpu.Upload(r), z);
            Assert.Equal(expected.ToArray(), z.ToArray());
        }
    }

    [Theory]
    [InlineData(137, 3)]
    [InlineData(1201, 4)]
    public void OurGmres_WithMathNetIlu0_Converges_InFewerIterationsThanWithout(int n, int seed)
    {
        var s = SolvedSystems.Nonsymmetric(n, seed);
        var op = Cpu.Upload(s.A);
        var options = new SolverOptions(RelativeTolerance: 1e-10);
        var ilu = new MathNetPreconditionerAdapter(new ILU0Preconditioner(), MathNetConversions.ToMathNet(s.A));

        var x = Cpu.Upload(RandomSystems.Vector(n, seed + 5));
        var result = new Gmres(op, ilu, options, restart: 20).Solve(Cpu.Upload(s.B), x);
        var plain = new Gmres(op, null, options, restart: 20).Solve(Cpu.Upload(s.B), Cpu.Allocate(n));

        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(s.A, x.ToArray(), s.B) <= 1e-10);
        Assert.True(Reference.RelativeMaxError(x.ToArray(), s.Solution) < 1e-7);
        Assert.True(result.Iterations < plain.Iterations, $"ILU(0) {result.Iterations} vs none {plain.Iterations}.");
    }

    [Fact]
    public void OurCg_WithMathNetDiagonal_DeclaredSymmetric_Converges()
    {
        var a = RandomSystems.Spd(613, 6);
        var b = RandomSystems.Vector(613, 7);
        var m = new MathNetPreconditionerAdapter(new DiagonalPreconditioner(), MathNetConversions.ToMathNet(a), isSymmetric: true);
        var x = Cpu.Allocate(613);
        var result = new ConjugateGradient(Cpu.Upload(a), m, new SolverOptions(RelativeTolerance: 1e-11)).Solve(Cpu.Upload(b), x);
        Assert.True(result.Converged, result.ToString());
        Assert.True(Reference.TrueRelativeResidual(a, x.ToArray(), b) <= 1e-11);
    }

    [Fact]
    public void MathNetSolver_WithMathNetIlu0_UsesItThroughTheAdapter()
    {
        var a = RandomSystems.Nonsymmetric(800, 8, dominance: 0.9);
        var b = RandomSystems.Vector(800, 9);
        var m = MathNetConversions.ToMathNet(a);
        var withIlu = new MathNetSolver(KrylovMethod.Gmres, restart: 20);
        var without = new MathNetSolver(KrylovMethod.Gmres, restart: 20);
        var iterator = new Iterator<double>(new IterationCountStopCriterion<double>(5000), new ResidualStopCriterion<double>(1e-10));
        var x = m.SolveIterative(DenseVector.OfArray(b), withIlu, iterator, new ILU0Preconditioner());
        MathNetSolverTests.AssertConvergedInMathNetSense(a, b, x, iterator, 1e-10);
        m.SolveIterative(DenseVector.OfArray(b), without, new Iterator<double>(new IterationCountStopCriterion<double>(5000), new ResidualStopCriterion<double>(1e-10)));
        Assert.True(withIlu.LastResult!.Iterations < without.LastResult!.Iterations, $"ILU(0) {withIlu.LastResult.Iterations} vs none {without.LastResult.Iterations}.");
    }

    [Fact]
    public void OurCg_RejectsTheAdapter_UnlessDeclaredSymmetric()
    {
        var a = RandomSystems.Spd(20, 10);
        var m = new MathNetPreconditionerAdapter(new DiagonalPreconditioner(), MathNetConversions.ToMathNet(a));
        Assert.False(m.IsSymmetric);
        Assert.True(m.IsLinear);
        Assert.Throws<ArgumentException>(() => new ConjugateGradient(Cpu.Upload(a), m));
    }

    [Fact]
    public void WarmApply_AllocatesNothingOfItsOwn()
    {
        // DiagonalPreconditioner.Approximate itself allocates nothing, so any allocation would be the adapter's.
        var a = RandomSystems.Spd(10_000, 11);
        var m = new MathNetPreconditionerAdapter(new DiagonalPreconditioner(), MathNetConversions.ToMathNet(a), isSymmetric: true);
        var r = Cpu.Upload(RandomSystems.Vector(10_000, 12));
        var z = Cpu.Allocate(10_000);
        m.Apply(r, z);
        var (_, least) = Allocations.Least(() =>
        {
            for (int k = 0; k < 10; k++) m.Apply(r, z);
            return 0;
        });
        Assert.True(least < 1024, $"10 warm applications allocated {least} bytes");
    }
}
