namespace LearnedSolvers.Tests.TestSupport;

/// <summary>Allocation checks that a parallel test run cannot make flaky.</summary>
public static class Allocations
{
    /// <summary>
    /// The fewest bytes <paramref name="action"/> allocated on this thread over <paramref name="runs"/> runs, with the
    /// last run's result: an allocation of the code under test shows in every run, while a stray allocation on this
    /// thread while the whole suite runs in parallel (seen rarely) does not.
    /// </summary>
    public static (T Result, long Bytes) Least<T>(Func<T> action, int runs = 3)
    {
        ArgumentNullException.ThrowIfNull(action);
        long least = long.MaxValue;
        T result = default!;
        for (int run = 0; run < runs; run++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            result = action();
            least = Math.Min(least, GC.GetAllocatedBytesForCurrentThread() - before);
        }
        return (result, least);
    }
}
