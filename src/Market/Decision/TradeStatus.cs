namespace Gateway.Market.Decision;

/// <summary>Outcome of a matched trade after the safety check.</summary>
public enum TradeStatus
{
    /// <summary>Passed the safety check: energy flows directly from seller to buyer.</summary>
    Executed,
    /// <summary>Curtailed by the safety check; its sides go to the SMES fallback.</summary>
    Failed,
}
