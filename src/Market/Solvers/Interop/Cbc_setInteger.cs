using System.Runtime.InteropServices;

namespace Gateway.Market.Solvers.Interop;

internal static unsafe partial class CbcNative
{
    [LibraryImport("CbcSolver")]
    internal static partial void Cbc_setInteger(IntPtr model, int column);
}
