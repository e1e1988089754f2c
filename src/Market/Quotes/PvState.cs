namespace Gateway.Market.Quotes;

/// <summary>A rooftop PV system's measured (or forecast) output for the interval.</summary>
public sealed record PvState(string Id, string NodeId, double OutputPowerKw, double RatedPowerKw, int MaxTrades = 1, double MaintenancePerKwh = 0);
