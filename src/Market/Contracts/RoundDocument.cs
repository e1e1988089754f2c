namespace Gateway.Market.Contracts;

/// <summary>JSON shape of one market round (see hil-rigs/examples/README.md). Every member is nullable so a missing field is reported by name.</summary>
internal sealed class RoundDocument
{
    /// <summary>Round id.</summary>
    public string? RoundId { get; set; }
    /// <summary>Interval length in hours.</summary>
    public double? IntervalHours { get; set; }
    /// <summary>Time-of-use grid price for the interval, currency/kWh.</summary>
    public double? GridPricePerKwh { get; set; }
    /// <summary>Retailer's feed-in price, currency/kWh.</summary>
    public double? FeedInPricePerKwh { get; set; }
    /// <summary>Quotations.</summary>
    public List<ParticipantDocument?>? Participants { get; set; }
    /// <summary>SMES unit (optional).</summary>
    public SmesDocument? Smes { get; set; }
    /// <summary>Radial feeder.</summary>
    public FeederDocument? Feeder { get; set; }
    /// <summary>Clearing rules (optional; every member defaults to the paper as written).</summary>
    public RulesDocument? Rules { get; set; }
}

/// <summary>JSON shape of the clearing rules (names in <see cref="MarketRuleNames"/>).</summary>
public sealed class RulesDocument
{
    /// <summary>"max-welfare" (default) or "curtail-lowest-weight-on-worst-line".</summary>
    public string? Execution { get; set; }
    /// <summary>"trade-price" (eq. 2, default) or "grid-price".</summary>
    public string? BuyerTravelPrice { get; set; }
    /// <summary>"per-trade" (eqs. 2–3, default) or "shared-over-lots".</summary>
    public string? TravelCost { get; set; }
    /// <summary>"grid-price-net" (eq. 1, default) or "trade-price-gross".</summary>
    public string? SmesSettlement { get; set; }
    /// <summary>Branch-and-bound node budget of the exact execution (default 20000).</summary>
    public int? ExecutionNodeBudget { get; set; }
}

/// <summary>JSON shape of a quotation.</summary>
internal sealed class ParticipantDocument
{
    /// <summary>Participant id.</summary>
    public string? Id { get; set; }
    /// <summary>"ev" or "pv".</summary>
    public string? Kind { get; set; }
    /// <summary>"buyer" or "seller".</summary>
    public string? Role { get; set; }
    /// <summary>Feeder node id.</summary>
    public string? Node { get; set; }
    /// <summary>Energy requested/offered in the interval, kWh.</summary>
    public double? EnergyKwh { get; set; }
    /// <summary>Power limit, kW.</summary>
    public double? MaxPowerKw { get; set; }
    /// <summary>L / Lᵃ (default 1).</summary>
    public int? MaxTrades { get; set; }
    /// <summary>λ, kWh/km (default 0).</summary>
    public double? ConsumptionKwhPerKm { get; set; }
    /// <summary>D, km (default 0).</summary>
    public double? DistanceKm { get; set; }
    /// <summary>p₀, currency/kWh (default 0).</summary>
    public double? ChargingPricePerKwh { get; set; }
    /// <summary>η (default 1).</summary>
    public double? Efficiency { get; set; }
    /// <summary>Battery wear per kWh, currency/kWh (an extension; default 0).</summary>
    public double? BatteryWearPerKwh { get; set; }
    /// <summary>B_j of eq. 3: battery depreciation per trade, currency (default 0).</summary>
    public double? BatteryWearPerTrade { get; set; }
    /// <summary>k_pv, currency/kWh (default 0).</summary>
    public double? MaintenancePerKwh { get; set; }
}

/// <summary>JSON shape of the SMES unit.</summary>
internal sealed class SmesDocument
{
    /// <summary>Id.</summary>
    public string? Id { get; set; }
    /// <summary>Node id.</summary>
    public string? Node { get; set; }
    /// <summary>Coil inductance, H.</summary>
    public double? InductanceH { get; set; }
    /// <summary>Coil current now, A.</summary>
    public double? CurrentA { get; set; }
    /// <summary>Minimum coil current, A (default 0).</summary>
    public double? MinCurrentA { get; set; }
    /// <summary>Maximum coil current, A.</summary>
    public double? MaxCurrentA { get; set; }
    /// <summary>Converter power limit, kW.</summary>
    public double? MaxPowerKw { get; set; }
    /// <summary>One-way efficiency (default 1).</summary>
    public double? Efficiency { get; set; }
    /// <summary>k_sm, currency/kWh (default 0).</summary>
    public double? MaintenancePerKwh { get; set; }
}

/// <summary>JSON shape of the feeder.</summary>
internal sealed class FeederDocument
{
    /// <summary>Root (substation) node id.</summary>
    public string? Root { get; set; }
    /// <summary>Nodes.</summary>
    public List<NodeDocument?>? Nodes { get; set; }
    /// <summary>Lines from the root outwards.</summary>
    public List<LineDocument?>? Lines { get; set; }
}

/// <summary>JSON shape of a feeder node.</summary>
internal sealed class NodeDocument
{
    /// <summary>Node id.</summary>
    public string? Id { get; set; }
    /// <summary>Base load, kW (default 0).</summary>
    public double? BaseLoadKw { get; set; }
}

/// <summary>JSON shape of a feeder line.</summary>
internal sealed class LineDocument
{
    /// <summary>Line id.</summary>
    public string? Id { get; set; }
    /// <summary>Node nearer the root.</summary>
    public string? From { get; set; }
    /// <summary>Node farther from the root.</summary>
    public string? To { get; set; }
    /// <summary>Thermal limit, kW.</summary>
    public double? LimitKw { get; set; }
}
