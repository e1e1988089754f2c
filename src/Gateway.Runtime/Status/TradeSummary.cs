namespace Gateway.Runtime.Status;

/// <summary>One trade of a round as operators see it.</summary>
/// <param name="BuyerId">Participant that buys.</param>
/// <param name="SellerId">Participant that sells (or "smes" / "grid").</param>
/// <param name="EnergyKwh">Planned energy, kWh.</param>
/// <param name="MeteredEnergyKwh">Metered energy once the interval has ended.</param>
/// <param name="PricePerKwh">Trade price, currency/kWh.</param>
/// <param name="Outcome">executed, smes (served through the SMES fallback) or failed.</param>
/// <param name="Reason">Why a trade failed or was curtailed (e.g. the line that failed it).</param>
/// <param name="FailedLineId">The feeder line whose limit failed the trade, when one did.</param>
/// <remarks>Public: part of <see cref="RoundSummary"/>, which the executable reads.</remarks>
public sealed record TradeSummary(
    string BuyerId,
    string SellerId,
    double EnergyKwh,
    double? MeteredEnergyKwh,
    double PricePerKwh,
    string Outcome,
    string? Reason,
    string? FailedLineId = null);
