namespace Gateway.Runtime.Status;

/// <summary>A market round as operators see it: what was decided, dispatched and settled.</summary>
/// <param name="RoundId">Stable round id.</param>
/// <param name="IntervalStartUtc">Start of the interval.</param>
/// <param name="IntervalEndUtc">End of the interval.</param>
/// <param name="State">How far the round got (skipped: never traded, see <paramref name="Note"/>).</param>
/// <param name="Buyers">Number of buy quotations.</param>
/// <param name="Sellers">Number of sell quotations.</param>
/// <param name="Trades">Every trade with its outcome.</param>
/// <param name="SmesEnergyKwh">Energy the SMES delivered (positive) or absorbed (negative).</param>
/// <param name="GridEnergyKwh">Energy bought from the grid/retailer as the outside option.</param>
/// <param name="TransactionSuccessRate">Matched trades executed directly or through the SMES ÷ matched trades (0–1).</param>
/// <param name="RenewableConsumptionRate">Renewable (PV, EV discharge) energy consumed ÷ offered (0–1).</param>
/// <param name="WelfareCurrency">Total welfare of the round, currency units.</param>
/// <param name="SetpointsConfirmed">Setpoints written and read back within tolerance.</param>
/// <param name="SetpointsMissed">Setpoints missed or skipped.</param>
/// <param name="AckDeadlineUtc">With requireAck: when the wait for an operator's acknowledgement ends (wall time); dispatch happens only after an acknowledgement before it.</param>
/// <param name="Note">Why a round was skipped, parked at a stop, or dispatched nothing, in plain words; null otherwise.</param>
/// <remarks>Public: the round loop hands skipped intervals and each outcome's summary to the executable's progress table and report.</remarks>
public sealed record RoundSummary(
    string RoundId,
    DateTimeOffset IntervalStartUtc,
    DateTimeOffset IntervalEndUtc,
    RoundPhase State,
    int Buyers,
    int Sellers,
    IReadOnlyList<TradeSummary> Trades,
    double SmesEnergyKwh,
    double GridEnergyKwh,
    double TransactionSuccessRate,
    double RenewableConsumptionRate,
    double WelfareCurrency,
    int SetpointsConfirmed,
    int SetpointsMissed,
    DateTimeOffset? AckDeadlineUtc = null,
    string? Note = null)
{
    /// <summary>The row operators see for an interval that was never traded.</summary>
    internal static RoundSummary Skipped(string roundId, DateTimeOffset start, DateTimeOffset end, string why) =>
        new(roundId, start, end, RoundPhase.Skipped, 0, 0, [], 0, 0, 0, 0, 0, 0, 0, Note: why);
}
