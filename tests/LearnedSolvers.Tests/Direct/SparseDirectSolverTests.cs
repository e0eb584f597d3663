using LearnedSolvers.Devices;
using LearnedSolvers.Direct;
using LearnedSolvers.Direct.SuiteSparse;
using LearnedSolvers.Krylov;
using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Direct;

/// <summary>
/// The direct solver as users call it: the backend chosen from the matrix (SuiteSparse's when loaded, and the managed
/// one with SuiteSparse turned off), the true residual recomputed here, a singular matrix reported as a stop reason.
/// </summary>
public class SparseDirectSolverTests
{
    private static readonly Device Cpu = Device.Cpu;

    public static TheoryData<string, bool> EveryMatrixBothPaths()
    {
        var data = new TheoryData<string, bool>();
        foreach (var (name, _) in SharedMatrices.Index())
        {
            data.Add(name, false);
            data.Add(name, true);
        }
        return data;
    }

    [Theory, MemberData(nameof(EveryMatrixBothPaths))]
    public void Solve_ReachesResidual1e12_OnEverySharedMatrix(string name, bool suiteSparse)
    {
        if (suiteSparse && !SuiteSparseLibrary.IsAvailable) Assert.Skip($"SuiteSparse is not loaded: {SuiteSparseLibrary.UnavailableReason}");
        var a = MatrixMarketReader.ReadMatrix(SharedMatrices.PathOf(name));
        var b = Reference.Multiply(a, Enumerable.Repeat(1.0, a.Columns).ToArray());
        using var da = Cpu.Upload(a);
        using var solver = new SparseDirectSolver(da, new DirectSolverOptions { UseSuiteSparse = suiteSparse }, new SolverOptions(RelativeTolerance: 1e-12));
        var x = new double[a.Rows];
        var result = solver.Solve(b, x);

        Assert.True(result.Converged, $"{name}: {result}");
        Assert.True(Reference.TrueRelativeResidual(a, x, b) <= 1e-12, $"{name} ({solver.Backend}): residual {Reference.TrueRelativeResidual(a, x, b):E2}");
        Assert.Equal(suiteSparse, solver.Backend is DirectBackend.Klu or DirectBackend.Umfpack or DirectBackend.Cholmod);
        Assert.True(solver.Fill >= 1, $"fill {solver.Fill}");
    }

    [Fact]
    public void Spd_GoesToCholesky_Nonsymmetric_ToLu()
    {
        var spd = RandomSystems.Spd(301, seed: 4);
        var nonsymmetric = RandomSystems.Nonsymmetric(301, seed: 4);
        foreach (bool suiteSparse in new[] { false, SuiteSparseLibrary.IsAvailable }.Distinct())
        {
            var options = new DirectSolverOptions { UseSuiteSparse = suiteSparse };
            using var s = new SparseDirectSolver(Cpu.Upload(spd), options);
            using var n = new SparseDirectSolver(Cpu.Upload(nonsymmetric), options);
            Assert.Equal(suiteSparse ? DirectBackend.Cholmod : DirectBackend.ManagedCholesky, s.Backend);
            Assert.Contains(n.Backend, suiteSparse ? new[] { DirectBackend.Klu, DirectBackend.Umfpack } : new[] { DirectBackend.ManagedLu });
        }
    }

    [Fact]
    public void SymmetricIndefinite_WithPositiveDiagonal_FallsBackFromCholeskyToLu()
    {
        // [[1, 2], [2, 1]] blocks: symmetric, positive diagonal, eigenvalues 3 and -1.
        int n = 40;
        var t = new TripletBuilder(n, n);
        for (int i = 0; i < n; i += 2)
        {
            t.Add(i, i, 1); t.Add(i + 1, i + 1, 1); t.Add(i, i + 1, 2); t.Add(i + 1, i, 2);
        }
        var a = t.ToCsr();
        using var solver = new SparseDirectSolver(Cpu.Upload(a), new DirectSolverOptions { UseSuiteSparse = false });
        Assert.Equal(DirectBackend.ManagedLu, solver.Backend);
        Assert.Contains("not positive definite", solver.BackendNote);
        var b = RandomSystems.Vector(n, seed: 1);
        var x = new double[n];
        Assert.True(solver.Solve(b, x).Converged);
        Assert.True(Reference.TrueRelativeResidual(a, x, b) < 1e-12);
    }

    [Fact]
    public void SingularMatrix_StopsWithSingular_AndNoNaN()
    {
        var a = RandomSystems.Nonsymmetric(57, seed: 2);
        var values = (double[])a.Values.Clone();
        for (int k = a.RowPointers[10]; k < a.RowPointers[11]; k++) values[k] = 0; // row 11 all zero
        var singular = a.WithValues(values);
        foreach (bool suiteSparse in new[] { false, SuiteSparseLibrary.IsAvailable }.Distinct())
        {
            using var solver = new SparseDirectSolver(Cpu.Upload(singular), new DirectSolverOptions { UseSuiteSparse = suiteSparse });
            var x = new double[57];
            var result = solver.Solve(RandomSystems.Vector(57, seed: 3), x);
            Assert.False(result.Converged);
            Assert.Equal(StopReason.Singular, result.Reason);
            Assert.Contains("singular", result.Message);
            Assert.All(x, v => Assert.True(double.IsFinite(v)));
            Assert.NotNull(solver.Failure);
        }
    }

    [Fact]
    public void Refactor_SolvesTheNewValues()
    {
        var a = RandomSystems.Nonsymmetric(123, seed: 5);
        var original = a.WithValues((double[])a.Values.Clone());
        using var solver = new SparseDirectSolver(Cpu.Upload(original));
        var scaled = a.WithValues(a.Values.Select((v, k) => v * (1 + 0.3 * Math.Sin(k))).ToArray());
        solver.Refactor(scaled);
        Assert.Equal(a.Values, original.Values); // the caller's matrix is left as it was
        var b = RandomSystems.Vector(123, seed: 6);
        var x = new double[123];
        Assert.True(solver.Solve(b, x).Converged);
        Assert.True(Reference.TrueRelativeResidual(scaled, x, b) < 1e-12);
        Assert.Throws<ArgumentException>(() => solver.Refactor(RandomSystems.Nonsymmetric(123, seed: 99)));
    }

    [Fact]
    public void DeviceVectors_AndHostArrays_GiveTheSameSolution()
    {
        var a = RandomSystems.Spd(200, seed: 8);
        var b = RandomSystems.Vector(200, seed: 9);
        using var da = Cpu.Upload(a);
        using var solver = new SparseDirectSolver(da);
        var host = new double[200];
        solver.Solve(b, host);
        using var db = Cpu.Upload(b);
        using var dx = Cpu.Allocate(200);
        var result = solver.Solve(db, dx);
        Assert.True(result.Converged);
        Assert.Equal(host, dx.ToArray());
    }

    [Fact]
    public void UseAfterDispose_Throws_AndWrongLengths_AreRefused()
    {
        var a = RandomSystems.Spd(30, seed: 1);
        var solver = new SparseDirectSolver(Cpu.Upload(a));
        Assert.Throws<ArgumentException>(() => solver.Solve(new double[29], new double[30]));
        solver.Dispose();
        solver.Dispose();
        Assert.Throws<ObjectDisposedException>(() => solver.Solve(new double[30], new double[30]));
    }

    [Fact]
    public void RequestedSuiteSparseBackend_WhenNotLoaded_IsATypedError()
    {
        if (SuiteSparseLibrary.IsAvailable) Assert.Skip("SuiteSparse is loaded here; the error shows only without it.");
        var e = Assert.Throws<SuiteSparseUnavailableException>(() => new SparseDirectSolver(Cpu.Upload(RandomSystems.Spd(10, 1)), new DirectSolverOptions { Backend = DirectBackend.Klu }));
        Assert.Contains("SuiteSparse", e.Message);
    }
}
