using System.Collections.Concurrent;
using LearnedSolvers.Sparse;

namespace LearnedSolvers.Tests.TestSupport;

/// <summary>
/// Random systems with their dense direct solution, computed once per (kind, n, seed) and shared between test classes:
/// the dense LU of a 2000 x 2000 matrix costs seconds, and every Krylov method is checked against the same systems.
/// </summary>
public static class SolvedSystems
{
    public sealed record LinearSystem(CsrMatrix A, double[] B, double[] Solution);

    private static readonly ConcurrentDictionary<(bool Spd, int N, int Seed), Lazy<LinearSystem>> Cache = new();

    /// <summary><see cref="RandomSystems.Nonsymmetric"/>(n, seed) with b = <see cref="RandomSystems.Vector"/>(n, seed + 100).</summary>
    public static LinearSystem Nonsymmetric(int n, int seed) => Get(false, n, seed);

    /// <summary><see cref="RandomSystems.Spd"/>(n, seed) with b = <see cref="RandomSystems.Vector"/>(n, seed + 100).</summary>
    public static LinearSystem Spd(int n, int seed) => Get(true, n, seed);

    private static LinearSystem Get(bool spd, int n, int seed) =>
        Cache.GetOrAdd((spd, n, seed), key => new Lazy<LinearSystem>(() =>
        {
            var a = key.Spd ? RandomSystems.Spd(key.N, key.Seed) : RandomSystems.Nonsymmetric(key.N, key.Seed);
            var b = RandomSystems.Vector(key.N, key.Seed + 100);
            return new LinearSystem(a, b, Reference.DenseSolve(a, b));
        })).Value;
}
