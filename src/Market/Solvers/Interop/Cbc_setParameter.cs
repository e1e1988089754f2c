using System.Runtime.InteropServices;

namespace Gateway.Market.Solvers.Interop;

internal static unsafe partial class CbcNative
{
    [LibraryImport("CbcSolver", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void Cbc_setParameter(IntPtr model, string name, string value);
}
