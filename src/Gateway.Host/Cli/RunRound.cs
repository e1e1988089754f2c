using Gateway.Runtime.Journal;
using Gateway.Runtime.Status;
using Gateway.Runtime.Worker;
using Gateway.Market.Decision;

namespace Gateway.Host.Cli;

/// <summary>
/// What <c>gateway run</c> keeps of one round for its summary, CSV and plots: numbers, not the round. Keeping each
/// <see cref="RoundOutcome"/> (the round's input, its decision with every candidate pair, its setpoints, meter readings and
/// settlements) made a run's memory grow with every round: a simulated day at 200 devices ended at 205 MB resident with
/// it, 164 MB without (about 0.4 MB a round); a gateway left running for weeks would run out of it.
/// </summary>
/// <param name="RoundId">The round.</param>
/// <param name="Parked">A stop parked it before it closed.</param>
/// <param name="DispatchedNothing">It planned setpoints and none was confirmed.</param>
/// <param name="Summary">The round's row as operators see it (its interval, counts, rates, note), without its per-trade lines.</param>
/// <param name="Kpis">The decision's KPIs.</param>
/// <param name="TradeCount">Trades in the decision, executed or not.</param>
/// <param name="MatchedKwh">Energy of every trade the decision matched.</param>
/// <param name="ExecutedKwh">Energy of the trades that executed.</param>
/// <param name="NotExecutedKwh">Energy of the trades that did not.</param>
/// <param name="SmesActionKwh">Energy of the SMES fallback's actions.</param>
/// <param name="ViaSmes">Failed trades served through the SMES.</param>
/// <param name="SettledKwh">Energy settled (metered).</param>
/// <param name="SetpointsConfirmed">Journaled setpoints confirmed.</param>
/// <param name="SetpointsMissed">Journaled setpoints missed or skipped.</param>
internal sealed record RunRound(
    string RoundId,
    bool Parked,
    bool DispatchedNothing,
    RoundSummary Summary,
    RoundKpis Kpis,
    int TradeCount,
    double MatchedKwh,
    double ExecutedKwh,
    double NotExecutedKwh,
    double SmesActionKwh,
    int ViaSmes,
    double SettledKwh,
    int SetpointsConfirmed,
    int SetpointsMissed)
{
    /// <summary>The numbers of <paramref name="outcome"/>.</summary>
    public static RunRound Of(RoundOutcome outcome)
    {
        var d = outcome.Decision;
        return new RunRound(outcome.RoundId, outcome.Parked, outcome.DispatchedNothing,
            outcome.Summary with { Trades = [] }, d.Kpis, d.Trades.Count,
            d.Trades.Sum(t => t.EnergyKwh),
            d.Trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.EnergyKwh),
            d.Trades.Where(t => t.Status != TradeStatus.Executed).Sum(t => t.EnergyKwh),
            d.SmesActions.Sum(a => a.EnergyKwh),
            outcome.Summary.Trades.Count(t => t.Outcome == "smes"),
            outcome.Settlements.Sum(s => (double)s.EnergyKwh),
            outcome.Setpoints.Count(s => s.Status == SetpointStatus.Confirmed),
            outcome.Setpoints.Count(s => s.Status is SetpointStatus.Missed or SetpointStatus.Skipped));
    }
}
