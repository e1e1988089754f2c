namespace Gateway.Market.Quotes;

/// <summary>What the SMES can do this interval: stored energy ½·L·I², and the most it can deliver or absorb at the grid side.</summary>
internal sealed record SmesCapacity(double StoredEnergyKwh, double DeliverableKwh, double AbsorbableKwh);
