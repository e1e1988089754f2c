namespace Gateway.Market.Grid;

/// <summary>
/// Result of the safety check. Per trade: the line that failed it (null = executes) and by how much that line would exceed
/// its limit if the trade were added to the executed ones (NaN for executed trades; ≤ 0 only under the greedy rule, where
/// it means the trade would have fitted). Then the flows with the executed trades, the base flows, each line's window,
/// warnings and how the selection was made.
/// </summary>
internal sealed record SafetyCheckResult(string?[] FailedLineIds, double[] OverloadKw, double[] FlowsKw, double[] BaseFlowsKw,
    IReadOnlyList<LineWindow> Windows, IReadOnlyList<string> Warnings, ExecutionReport Execution);
