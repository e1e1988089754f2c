using Gateway.Runtime.Journal;
using Gateway.Runtime.Status;
using Gateway.LedgerClient;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Runtime.Worker;

/// <summary>Everything one finished round produced, for callers that report or check it.</summary>
/// <param name="RoundId">Round id.</param>
/// <param name="Round">What the market was given.</param>
/// <param name="Decision">What the market decided.</param>
/// <param name="Setpoints">Every setpoint with its outcome.</param>
/// <param name="MeteredNetExportKwh">Metered net export per participant over the interval, kWh.</param>
/// <param name="Settlements">The settlements queued for the ledger.</param>
/// <param name="Summary">The operators' view of the round.</param>
/// <param name="Timing">When the round quoted, decided and finished dispatching (gateway clock); null for a resumed round.</param>
/// <remarks>Public: what the round loop hands the executable's observer; the run report is built from it.</remarks>
public sealed record RoundOutcome(
    string RoundId,
    MarketRound Round,
    RoundDecision Decision,
    IReadOnlyList<JournaledSetpoint> Setpoints,
    IReadOnlyDictionary<string, double> MeteredNetExportKwh,
    IReadOnlyList<SettlementRecord> Settlements,
    RoundSummary Summary,
    RoundTiming? Timing = null)
{
    /// <summary>True when a stop parked the round before it closed (the journal keeps it; the next run resumes it).</summary>
    public bool Parked { get; init; }

    /// <summary>True when an emergency stop ended the round early (journaled as interrupted; delivered energy settled).</summary>
    internal bool Interrupted { get; init; }

    /// <summary>Wall time of each step of the round (null when it did not close: parked or interrupted).</summary>
    internal RoundPhaseTimes? Phases { get; init; }

    /// <summary>Intervals before this round that were never traded (each a row with the reason), oldest first.</summary>
    internal IReadOnlyList<RoundSummary> SkippedBefore { get; init; } = [];

    /// <summary>
    /// True when the round dispatched nothing although it planned setpoints (no acknowledgement, or every device missed):
    /// counted as a failed round.
    /// </summary>
    public bool DispatchedNothing => !Parked && !Interrupted && Setpoints.Count > 0 && Setpoints.All(s => s.Status is not SetpointStatus.Confirmed);
}

/// <summary>Instants of one round's hot path, on the gateway's clock.</summary>
/// <param name="OldestReadingUtc">Timestamp of the oldest measurement the quotations used.</param>
/// <param name="DecidedUtc">When the market decision was made.</param>
/// <param name="DispatchedUtc">When the last setpoint of the round was written and read back.</param>
/// <remarks>Public: part of <see cref="RoundOutcome"/>'s shape.</remarks>
public sealed record RoundTiming(DateTimeOffset OldestReadingUtc, DateTimeOffset DecidedUtc, DateTimeOffset DispatchedUtc);
