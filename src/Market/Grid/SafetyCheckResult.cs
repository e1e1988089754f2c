namespace Gateway.Market.Grid;

/// <summary>Result of the safety check: per trade, the line that failed it (null = passes); final flows; warnings.</summary>
public sealed record SafetyCheckResult(string?[] FailedLineIds, double[] FlowsKw, double[] BaseFlowsKw, IReadOnlyList<string> Warnings);
