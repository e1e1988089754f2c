using System.Runtime.InteropServices;

namespace Gateway.Market.Solvers.Interop;

internal static unsafe partial class ClpNative
{
    [LibraryImport("Clp")]
    internal static partial void Clp_deleteModel(IntPtr model);
}
