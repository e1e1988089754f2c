using System.Runtime.InteropServices;

namespace Gateway.Market.Solvers.Interop;

internal static unsafe partial class CbcNative
{
    [LibraryImport("CbcSolver")]
    internal static partial int Cbc_solve(IntPtr model);
}
