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
/// <param name="Timing">When the round quoted, decided and finished dispatching (gateway clock); null for a resumed round.</param>
public sealed record RoundOutcome(
    string RoundId,
    MarketRound Round,
    RoundDecision Decision,
    IReadOnlyList<JournaledSetpoint> Setpoints,
    IReadOnlyDictionary<string, double> MeteredNetExportKwh,
    IReadOnlyList<SettlementRecord> Settlements,
    RoundSummary Summary,
    RoundTiming? Timing = null);

/// <summary>Instants of one round's hot path, on the gateway's clock.</summary>
/// <param name="OldestReadingUtc">Timestamp of the oldest measurement the quotations used.</param>
/// <param name="DecidedUtc">When the market decision was made.</param>
/// <param name="DispatchedUtc">When the last setpoint of the round was written and read back.</param>
public sealed record RoundTiming(DateTimeOffset OldestReadingUtc, DateTimeOffset DecidedUtc, DateTimeOffset DispatchedUtc);
