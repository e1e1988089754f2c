namespace Gateway.Market.Decision;

/// <summary>Direction of an SMES fallback action.</summary>
public enum SmesDirection
{
    /// <summary>The SMES delivers energy to a failed buyer (P_sm &gt; 0 in eq. 1).</summary>
    Discharge,
    /// <summary>The SMES absorbs a failed seller's surplus (P_sm &lt; 0 in eq. 1).</summary>
    Charge,
}
