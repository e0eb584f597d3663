namespace LearnedSolvers.Problems;

/// <summary>Settings of <see cref="ConvectionDiffusion.Generate"/>; the defaults give a 64 x 64 grid with Pe = 100 and a diagonal wind.</summary>
public sealed record ConvectionDiffusionOptions
{
    /// <summary>n, interior grid points per axis (h = 1/(n+1)).</summary>
    public int GridSize { get; init; } = 64;

    /// <summary>
    /// Global Péclet number Pe = max|w| · L / ε with L = 1: the equation solved is -Δu + Pe ŵ·∇u = f/ε with max|ŵ| = 1.
    /// The mesh Péclet number is Pe_h = Pe · h / 2; central differences would oscillate for Pe_h &gt; 1, upwinding does not.
    /// </summary>
    public double Peclet { get; init; } = 100;

    public WindKind Wind { get; init; } = WindKind.Constant;

    /// <summary>Direction θ (radians, from the x axis) of a <see cref="WindKind.Constant"/> wind.</summary>
    public double WindAngle { get; init; } = Math.PI / 4;

    public RightHandSideKind RightHandSide { get; init; } = RightHandSideKind.Constant;

    /// <summary>Fixes a white-noise right-hand side.</summary>
    public int Seed { get; init; }

    /// <summary>Pe_h = Pe · h / 2 with h = 1/(n+1).</summary>
    public double MeshPeclet => Peclet / (2.0 * (GridSize + 1));

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first bad option.</summary>
    public void Validate()
    {
        StructuredGrid.CheckSize(GridSize, 2, nameof(GridSize));
        if (!(Peclet >= 0) || double.IsInfinity(Peclet))
            throw new ArgumentOutOfRangeException(nameof(Peclet), Peclet, "The Péclet number must be finite and ≥ 0.");
        if (!Enum.IsDefined(Wind))
            throw new ArgumentOutOfRangeException(nameof(Wind), Wind, "Unknown wind kind.");
        if (!double.IsFinite(WindAngle))
            throw new ArgumentOutOfRangeException(nameof(WindAngle), WindAngle, "The wind angle must be finite.");
        if (!Enum.IsDefined(RightHandSide))
            throw new ArgumentOutOfRangeException(nameof(RightHandSide), RightHandSide, "Unknown right-hand side kind.");
    }
}
