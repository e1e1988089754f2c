using System.Runtime.InteropServices;

namespace Gateway.Market.Solvers.Interop;

internal static unsafe partial class CbcNative
{
    [LibraryImport("CbcSolver")]
    internal static partial void Cbc_loadProblem(IntPtr model, int numberColumns, int numberRows, int* columnStarts, int* rowIndices, double* values, double* columnLower, double* columnUpper, double* objective, double* rowLower, double* rowUpper);
}
