using System.Reflection;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using LearnedSolvers.Devices.Ilgpu;

namespace LearnedSolvers.Tests.Devices;

/// <summary>
/// Every ILGPU kernel compiles to PTX (backend for an H100, sm_90, PTX ISA 8.0 = CUDA 12.0 drivers) with the Release settings, on any machine: ILGPU's PTX
/// backend needs no GPU. Catches what the CPU accelerator cannot (features the PTX backend rejects), and checks
/// properties of the generated code: reductions use warp shuffles and barriers, and no floating-point atomics
/// (deterministic); the one atomic allowed is the integer arrival counter that picks the group that folds the partials.
/// </summary>
public sealed class PtxCompilationTests : IDisposable
{
    private readonly Context _context = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O2).EnableAlgorithms());
    private readonly PTXBackend _backend;

    public PtxCompilationTests() =>
        _backend = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);

    public void Dispose()
    {
        _backend.Dispose();
        _context.Dispose();
    }

    /// <summary>
    /// The kernels: public static void methods of the static classes named *Kernels in an Ilgpu namespace or Ilgpu*KernelBodies
    /// (helpers such as GroupSum return a value), wherever a kernel family puts them.
    /// </summary>
    public static TheoryData<string, string> Kernels()
    {
        var data = new TheoryData<string, string>();
        foreach (var type in KernelClasses())
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(void)))
                data.Add(type.FullName!, m.Name);
        return data;
    }

    private static IEnumerable<Type> KernelClasses() => typeof(VectorKernels).Assembly.GetTypes()
        .Where(t => t.IsAbstract && t.IsSealed && ((t.Name.EndsWith("Kernels", StringComparison.Ordinal) && (t.Namespace ?? "").Contains("Ilgpu"))
            || (t.Name.StartsWith("Ilgpu", StringComparison.Ordinal) && t.Name.EndsWith("KernelBodies", StringComparison.Ordinal))));

    [Fact]
    public void KernelDiscovery_FindsTheKnownKernelClasses()
    {
        var names = KernelClasses().Select(t => t.Name).ToHashSet();
        Assert.Superset(new HashSet<string> { nameof(VectorKernels), nameof(ReductionKernels), nameof(SpmvKernels), nameof(BufferKernels), nameof(TriangularSolveKernels), "IlgpuKrylovKernelBodies" }, names);
    }

    private string Compile(string typeName, string methodName)
    {
        var type = typeof(VectorKernels).Assembly.GetType(typeName.Contains('.') ? typeName : $"LearnedSolvers.Devices.Ilgpu.{typeName}", throwOnError: true)!;
        var method = type.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static)!;
        // A kernel generic in its number type (float and double) compiles once per type it is loaded with.
        if (method.IsGenericMethodDefinition)
            return string.Concat(new[] { typeof(double), typeof(float) }.Select(t => CompileMethod(method.MakeGenericMethod(t))));
        return CompileMethod(method);
    }

    private string CompileMethod(MethodInfo method)
    {
        var entry = method.GetParameters()[0].ParameterType == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(method)
            : EntryPointDescription.FromExplicitlyGroupedKernel(method);
        var compiled = (PTXCompiledKernel)_backend.Compile(entry, KernelSpecialization.Empty);
        return compiled.PTXAssembly;
    }

    [Theory, MemberData(nameof(Kernels))]
    public void Kernel_CompilesToPtx_WithoutFloatingPointAtomicsOrAssertions(string type, string method)
    {
        string ptx = Compile(type, method);
        // ILGPU 1.5.3 writes ".target sm_80" even for an sm_90 backend; the driver JIT-compiles that PTX for Hopper.
        Assert.Matches(@"\.target sm_\d+", ptx);
        var atomics = System.Text.RegularExpressions.Regex.Matches(ptx, @"\s(atom|red)\.\S+").Select(m => m.Value.Trim()).ToList();
        Assert.All(atomics, a => Assert.Matches(@"^atom\.add\.global\.[us]32$", a)); // the arrival counter only
        Assert.DoesNotContain("trap;", ptx);
    }

    [Theory]
    [InlineData(nameof(ReductionKernels), nameof(ReductionKernels.Dot))]
    [InlineData(nameof(SpmvKernels), nameof(SpmvKernels.ScalarWithDot))]
    public void OneLaunchReductions_CountArrivals_BehindADeviceFence(string type, string method)
    {
        string ptx = Compile(type, method);
        Assert.Matches(@"atom\.add\.global\.[us]32", ptx);
        Assert.Contains("membar.gl", ptx);
    }

    [Theory]
    [InlineData(nameof(ReductionKernels), nameof(ReductionKernels.Dot))]
    [InlineData(nameof(ReductionKernels), nameof(ReductionKernels.FinalSum))]
    [InlineData(nameof(SpmvKernels), nameof(SpmvKernels.SubwarpWithDot))]
    public void Reductions_FoldWithShufflesAndBarriers(string type, string method)
    {
        string ptx = Compile(type, method);
        Assert.Contains("shfl.sync.down", ptx);
        Assert.Contains("bar.sync", ptx);
    }
}
