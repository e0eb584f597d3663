using LearnedSolvers.Sparse;
using LearnedSolvers.Tests.TestSupport;

namespace LearnedSolvers.Tests.Sparse;

public class LevelScheduleTests
{
    public static TheoryData<int, bool, bool> Patterns()
    {
        var data = new TheoryData<int, bool, bool>();
        foreach (int n in new[] { 1, 2, 7, 97, 597, 1001 })
            foreach (bool lower in new[] { true, false })
                foreach (bool unit in new[] { true, false })
                    data.Add(n, lower, unit);
        return data;
    }

    [Theory, MemberData(nameof(Patterns))]
    public void EveryRowDependsOnlyOnEarlierLevels_AndSitsRightAfterItsLatestDependency(int n, bool lower, bool unit)
    {
        var t = RandomTriangular.Matrix(n, seed: n + (lower ? 1 : 0) + (unit ? 2 : 0), lower, unit);
        var schedule = t.Levels;
        Assert.Equal(n, schedule.Rows.Length);
        Assert.Equal(0, schedule.LevelStarts[0]);
        Assert.Equal(n, schedule.LevelStarts[schedule.LevelCount]);

        var levelOf = Enumerable.Repeat(-1, n).ToArray();
        for (int level = 0; level < schedule.LevelCount; level++)
        {
            Assert.True(schedule.LevelStarts[level + 1] > schedule.LevelStarts[level], $"level {level} is empty");
            for (int k = schedule.LevelStarts[level]; k < schedule.LevelStarts[level + 1]; k++)
            {
                int row = schedule.Rows[k];
                Assert.Equal(-1, levelOf[row]); // each row once
                levelOf[row] = level;
                if (k > schedule.LevelStarts[level]) Assert.True(row > schedule.Rows[k - 1], "rows ascend within a level");
            }
        }
        Assert.DoesNotContain(-1, levelOf);

        int widest = 0;
        for (int i = 0; i < n; i++)
        {
            int latest = -1;
            for (int k = t.RowPointers[i]; k < t.RowPointers[i + 1]; k++)
            {
                int j = t.ColumnIndices[k];
                if (j == i) continue;
                Assert.True(levelOf[j] < levelOf[i], $"row {i} (level {levelOf[i]}) depends on row {j} (level {levelOf[j]})");
                latest = Math.Max(latest, levelOf[j]);
            }
            // As early as possible: the fewest levels, so the fewest sequential steps.
            Assert.Equal(latest + 1, levelOf[i]);
        }
        for (int level = 0; level < schedule.LevelCount; level++)
            widest = Math.Max(widest, schedule.LevelStarts[level + 1] - schedule.LevelStarts[level]);
        Assert.Equal(widest, schedule.WidestLevel);
    }

    [Fact]
    public void Bidiagonal_HasOneRowPerLevel_AndDiagonal_HasOneLevel()
    {
        const int n = 9;
        var rowPointers = Enumerable.Range(0, n + 1).Select(i => Math.Max(0, 2 * i - 1)).ToArray();
        var columns = Enumerable.Range(0, n).SelectMany(i => i == 0 ? new[] { 0 } : new[] { i - 1, i }).ToArray();
        var bidiagonal = new TriangularMatrix(n, isLower: true, hasUnitDiagonal: false, rowPointers, columns, Enumerable.Repeat(1.0, columns.Length).ToArray());
        Assert.Equal(n, bidiagonal.Levels.LevelCount);
        Assert.Equal(Enumerable.Range(0, n), bidiagonal.Levels.Rows);

        var diagonal = new TriangularMatrix(n, isLower: false, hasUnitDiagonal: true, new int[n + 1], [], []);
        Assert.Equal(1, diagonal.Levels.LevelCount);
        Assert.Equal(n, diagonal.Levels.WidestLevel);
    }

    [Fact]
    public void WideLevelPattern_HasLevelsAsWideAsItsGap()
    {
        var t = RandomTriangular.WideLevels(30_001, 3, isLower: true, unitDiagonal: false, gap: 5000);
        Assert.InRange(t.Levels.LevelCount, 6, 8);
        Assert.True(t.Levels.WidestLevel >= 5000);
    }
}
