using LearnedSolvers.Problems;
using LearnedSolvers.Sequences;

namespace LearnedSolvers.Cli;

/// <summary>
/// The systems of a data set written by `dataset`, in its input order: each matrix assembled again from the stored
/// coefficient field (diffusion, darcy) or the Poisson matrix of the grid (poisson), with its stored right-hand side.
/// </summary>
internal static class DatasetSystems
{
    /// <param name="path">The HDF5 file.</param>
    /// <param name="option">The option that named it, for the messages.</param>
    public static (SequenceDataset Data, List<LinearSystem> Systems) Read(string path, string option)
    {
        var data = SequenceDataset.Read(path);
        var poisson = data.Coefficients is null && data.Problem.StartsWith("poisson", StringComparison.OrdinalIgnoreCase)
            ? (data.Dimension == 3 ? Poisson.ThreeD(data.GridSize) : Poisson.TwoD(data.GridSize)).Matrix : null;
        if (data.Coefficients is null && poisson is null)
            throw new UsageException($"{option} {path}: the {data.Problem} family stores no coefficient field to rebuild its matrices from (diffusion, darcy and poisson data sets do)");
        var systems = new List<LinearSystem>(data.Count);
        for (int i = 0; i < data.Count; i++)
        {
            var coefficients = data.Coefficients is null ? null : Row(data.Coefficients, i);
            var a = poisson ?? Diffusion.Assemble(coefficients!, data.GridSize, data.Dimension);
            if (a.Rows != data.Unknowns)
                throw new UsageException($"{option} {path}: system {i} assembles to {a.Rows} unknowns; the file stores {data.Unknowns}");
            systems.Add(new LinearSystem(a, Row(data.RightHandSides, i), $"{data.Problem} {i}")
            {
                Coefficients = coefficients,
                GridSize = data.GridSize,
                Dimension = data.Dimension,
            });
        }
        return (data, systems);
    }

    public static double[] Row(double[,] values, int i)
    {
        var row = new double[values.GetLength(1)];
        for (int j = 0; j < row.Length; j++) row[j] = values[i, j];
        return row;
    }
}
