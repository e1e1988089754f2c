using Gateway.Market.Solvers.Interop;

namespace Gateway.Market.Solvers;

/// <summary>
/// Solves programs with COIN-OR through its C API: CLP (dual/primal simplex) for pure LPs, CBC (branch and cut)
/// as soon as one variable is integer. Debian ships CBC's C API (Cbc_C_Interface.h) in libCbcSolver.so, not libCbc.so,
/// so the CBC imports name "CbcSolver". Every solve owns its native model and frees it before returning, so separate
/// solves may run on separate threads.
/// </summary>
public sealed class CoinOrSolver : ILinearSolver
{
    /// <inheritdoc />
    public LinearSolution Solve(LinearProgram program)
    {
        ArgumentNullException.ThrowIfNull(program);
        var columns = new SparseColumns(program);
        return program.HasIntegerVariables ? SolveWithCbc(program, columns) : SolveWithClp(program, columns);
    }

    private static unsafe LinearSolution SolveWithClp(LinearProgram program, SparseColumns c)
    {
        IntPtr model;
        try
        {
            model = ClpNative.Clp_newModel();
        }
        catch (DllNotFoundException e)
        {
            throw new CoinOrUnavailableException("Clp", e);
        }

        try
        {
            ClpNative.Clp_setLogLevel(model, 0);
            fixed (int* starts = c.ColumnStarts, rows = c.RowIndices)
            fixed (double* values = c.Values, colLower = c.ColumnLower, colUpper = c.ColumnUpper, objective = c.Objective, rowLower = c.RowLower, rowUpper = c.RowUpper)
            {
                ClpNative.Clp_loadProblem(model, program.VariableCount, program.ConstraintCount, starts, rows, values, colLower, colUpper, objective, rowLower, rowUpper);
            }

            ClpNative.Clp_setObjSense(model, program.Sense == ObjectiveSense.Maximize ? -1.0 : 1.0);
            ClpNative.Clp_initialSolve(model);
            var status = ClpNative.Clp_isProvenOptimal(model) != 0
                ? LinearSolutionStatus.Optimal
                : ClpNative.Clp_status(model) switch
                {
                    1 => LinearSolutionStatus.Infeasible,
                    2 => LinearSolutionStatus.Unbounded,
                    3 => LinearSolutionStatus.IterationLimit,
                    _ => LinearSolutionStatus.Error,
                };
            var x = Copy(ClpNative.Clp_getColSolution(model), program.VariableCount);
            var duals = Copy(ClpNative.Clp_getRowPrice(model), program.ConstraintCount);
            return new LinearSolution(status, ClpNative.Clp_objectiveValue(model), x, duals);
        }
        finally
        {
            ClpNative.Clp_deleteModel(model);
        }
    }

    private static unsafe LinearSolution SolveWithCbc(LinearProgram program, SparseColumns c)
    {
        IntPtr model;
        try
        {
            model = CbcNative.Cbc_newModel();
        }
        catch (DllNotFoundException e)
        {
            throw new CoinOrUnavailableException("CbcSolver", e);
        }

        try
        {
            fixed (int* starts = c.ColumnStarts, rows = c.RowIndices)
            fixed (double* values = c.Values, colLower = c.ColumnLower, colUpper = c.ColumnUpper, objective = c.Objective, rowLower = c.RowLower, rowUpper = c.RowUpper)
            {
                CbcNative.Cbc_loadProblem(model, program.VariableCount, program.ConstraintCount, starts, rows, values, colLower, colUpper, objective, rowLower, rowUpper);
            }

            CbcNative.Cbc_setObjSense(model, program.Sense == ObjectiveSense.Maximize ? -1.0 : 1.0);
            for (var j = 0; j < program.VariableCount; j++)
            {
                if (program.Variables[j].IsInteger)
                {
                    CbcNative.Cbc_setInteger(model, j);
                }
            }

            CbcNative.Cbc_setParameter(model, "logLevel", "0");
            CbcNative.Cbc_solve(model);
            LinearSolutionStatus status;
            if (CbcNative.Cbc_isProvenOptimal(model) != 0)
            {
                status = LinearSolutionStatus.Optimal;
            }
            else if (CbcNative.Cbc_isProvenInfeasible(model) != 0)
            {
                status = LinearSolutionStatus.Infeasible;
            }
            else if (CbcNative.Cbc_isContinuousUnbounded(model) != 0)
            {
                status = LinearSolutionStatus.Unbounded;
            }
            else
            {
                status = CbcNative.Cbc_status(model) == 1 ? LinearSolutionStatus.IterationLimit : LinearSolutionStatus.Error;
            }

            var x = Copy(CbcNative.Cbc_getColSolution(model), program.VariableCount);
            var objectiveValue = status == LinearSolutionStatus.Optimal ? CbcNative.Cbc_getObjValue(model) : double.NaN;
            return new LinearSolution(status, objectiveValue, x, null);
        }
        finally
        {
            CbcNative.Cbc_deleteModel(model);
        }
    }

    private static unsafe double[] Copy(double* source, int count)
    {
        var result = new double[count];
        if (source != null && count > 0)
        {
            new ReadOnlySpan<double>(source, count).CopyTo(result);
        }

        return result;
    }
}
