namespace Gateway.Market.Validation;

/// <summary>
/// The ranges a round's numbers must lie in. Far beyond any microgrid feeder, they keep every product the market forms
/// (price × energy, summed flows) finite and precise in doubles, and the exact matching's integer costs — weights on a
/// 2³⁰-unit grid times (n + 1)² for n participants — inside 64 bits. A round outside them is refused (exit 2 at the
/// command line) instead of reaching a solver that cannot represent it.
/// </summary>
internal static class RoundLimits
{
    /// <summary>Most participants in one round.</summary>
    public const int MaxParticipants = 10_000;

    /// <summary>Most trades per participant (Lᵃ, L).</summary>
    public const int MaxTradesPerParticipant = 100;

    /// <summary>Highest price per kWh (grid, feed-in, p₀, wear and O&amp;M per kWh), in any currency.</summary>
    public const double MaxPricePerKwh = 1e6;

    /// <summary>Highest fixed cost per trade (battery depreciation B_j).</summary>
    public const double MaxCostPerTrade = 1e9;

    /// <summary>Most energy one participant may offer or request in an interval, kWh.</summary>
    public const double MaxEnergyKwh = 1e5;

    /// <summary>Highest power of a participant or of the SMES converter, kW.</summary>
    public const double MaxPowerKw = 1e5;

    /// <summary>Highest line limit and largest base load magnitude, kW.</summary>
    public const double MaxLineKw = 1e6;

    /// <summary>Highest EV consumption, kWh/km.</summary>
    public const double MaxConsumptionKwhPerKm = 10;

    /// <summary>Longest distance to the charging point, km.</summary>
    public const double MaxDistanceKm = 1e4;

    /// <summary>Highest SMES coil inductance, H.</summary>
    public const double MaxInductanceH = 1e6;

    /// <summary>Highest SMES coil current, A.</summary>
    public const double MaxCurrentA = 1e6;
}
