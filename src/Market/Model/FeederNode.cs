namespace Gateway.Market.Model;

/// <summary>A bus of the radial feeder with its uncontrolled base load (kW, positive = consumption) for the interval.</summary>
public sealed record FeederNode(string Id, double BaseLoadKw = 0);
