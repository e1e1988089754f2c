using Gateway.Host.Journal;
using Gateway.Host.Status;
using Gateway.LedgerClient;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Host.Worker;

/// <summary>Everything one finished round produced, for callers that report or check it.</summary>
/// <param name="RoundId">Round id.</param>
/// <param name="Round">What the market was given.</param>
/// <param name="Decision">What the market decided.</param>
/// <param name="Setpoints">Every setpoint with its outcome.</param>
/// <param name="MeteredNetExportKwh">Metered net export per participant over the interval, kWh.</param>
/// <param name="Settlements">The settlements queued for the ledger.</param>
/// <param name="Summary">The operators' view of the round.</param>
public sealed record RoundOutcome(
    string RoundId,
    MarketRound Round,
    RoundDecision Decision,
    IReadOnlyList<JournaledSetpoint> Setpoints,
    IReadOnlyDictionary<string, double> MeteredNetExportKwh,
    IReadOnlyList<SettlementRecord> Settlements,
    RoundSummary Summary);
