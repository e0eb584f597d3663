using System.Reflection;
using ILGPU;
using ILGPU.Backends.EntryPoints;
using ILGPU.Backends.PTX;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using LearnedSolvers.Learned.Nn;

namespace LearnedSolvers.Tests.Learned.Nn;

/// <summary>
/// The network kernels compile for a GPU (sm_90, no GPU needed) to correctly rounded double arithmetic: no approximate
/// instructions (ex2.approx, rcp.approx, …), which ILGPU.Algorithms' exp and tanh would bring in and which would make
/// the GPU's activations and statistics differ from the CPU accelerator's beyond rounding.
/// </summary>
public sealed class NetworkKernelPtxTests : IDisposable
{
    private readonly Context _context = Context.Create(b => b.Cuda().Optimize(OptimizationLevel.O2).EnableAlgorithms());
    private readonly PTXBackend _backend;

    public NetworkKernelPtxTests() =>
        _backend = new PTXBackend(_context, new CudaCapabilityContext(CudaArchitecture.SM_90), CudaArchitecture.SM_90, CudaInstructionSet.ISA_80, nvvmAPI: null);

    public void Dispose()
    {
        _backend.Dispose();
        _context.Dispose();
    }

    public static TheoryData<string, string> Kernels()
    {
        var data = new TheoryData<string, string>();
        var types = typeof(INetworkKernels).Assembly.GetTypes()
            .Where(t => t.IsAbstract && t.IsSealed && t.Namespace == "LearnedSolvers.Learned.Nn.Ilgpu" && t.Name.EndsWith("Kernels", StringComparison.Ordinal));
        foreach (var type in types)
            foreach (var m in type.GetMethods(BindingFlags.Public | BindingFlags.Static).Where(m => m.ReturnType == typeof(void)))
                data.Add(type.FullName!, m.Name);
        return data;
    }

    [Fact]
    public void EveryKernelClass_IsFound()
    {
        var names = Kernels().Select(row => row.Data.Item1.Split('.')[^1]).ToHashSet();
        Assert.Superset(new HashSet<string> { "ConvolutionKernels", "LinearKernels", "PointwiseKernels", "ResampleKernels", "LayerNormKernels", "RowKernels" }, names);
    }

    [Theory, MemberData(nameof(Kernels))]
    public void Kernel_UsesNoApproximateInstructions(string typeName, string methodName)
    {
        var method = typeof(INetworkKernels).Assembly.GetType(typeName, throwOnError: true)!.GetMethod(methodName, BindingFlags.Public | BindingFlags.Static)!;
        var entry = method.GetParameters()[0].ParameterType == typeof(Index1D)
            ? EntryPointDescription.FromImplicitlyGroupedKernel(method)
            : EntryPointDescription.FromExplicitlyGroupedKernel(method);
        string ptx = ((PTXCompiledKernel)_backend.Compile(entry, KernelSpecialization.Empty)).PTXAssembly;
        Assert.DoesNotContain(".approx", ptx);
    }
}
