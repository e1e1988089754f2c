using System.Runtime.InteropServices;

namespace Gateway.Market.Solvers.Interop;

internal static unsafe partial class ClpNative
{
    [LibraryImport("Clp")]
    internal static partial void Clp_loadProblem(IntPtr model, int numberColumns, int numberRows, int* columnStarts, int* rowIndices, double* values, double* columnLower, double* columnUpper, double* objective, double* rowLower, double* rowUpper);
}
