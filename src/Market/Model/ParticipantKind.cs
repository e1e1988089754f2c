namespace Gateway.Market.Model;

/// <summary>What kind of device stands behind a quotation.</summary>
public enum ParticipantKind
{
    /// <summary>An electric vehicle at a bidirectional (V2G) charger: buys when charging, sells when discharging.</summary>
    Ev,
    /// <summary>A rooftop photovoltaic system: sells only.</summary>
    Pv,
}
