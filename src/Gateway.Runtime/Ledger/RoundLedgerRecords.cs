using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.Runtime.Journal;
using Gateway.Rigs;
using Gateway.LedgerClient;
using Gateway.Market.Decision;
using Gateway.Market.Model;

namespace Gateway.Runtime.Ledger;

/// <summary>
/// A round's entries on the two side chains, built from what the journal holds when the round settles: the matching
/// decision (every quotation, match, price, failed trade with the line that failed it, SMES action and line flow) and
/// the electricity delivered (per device: setpoint, read-back, status, energy counters at the start and end of the
/// interval, net export). Deterministic: the same journal gives the same bytes, so a resumed round records the same.
/// </summary>
internal static class RoundLedgerRecords
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The matching side chain's record of the round.</summary>
    public static RoundRecord Decision(string siteId, string epoch, string roundId, DateTimeOffset intervalStartUtc, DateTimeOffset intervalEndUtc,
        MarketRound round, RoundDecision decision)
    {
        var payload = new DecisionPayload(
            roundId, siteId, Instant(intervalStartUtc), Instant(intervalEndUtc), R(round.GridPricePerKwh), R(round.FeedInPricePerKwh),
            round.Participants.Select(q => new QuotationPayload(q.Id, q.Kind == ParticipantKind.Ev ? "ev" : "pv", q.Role == TradeRole.Buyer ? "buyer" : "seller",
                q.NodeId, R(q.EnergyKwh), R(q.MaxPowerKw))).ToList(),
            decision.Trades.Select(t => new TradePayload(t.BuyerId, t.SellerId, R(t.EnergyKwh), R(t.PricePerKwh),
                t.Status == TradeStatus.Executed ? "executed" : "failed", t.FailedLineId)).ToList(),
            decision.SmesActions.Select(a => new SmesActionPayload(a.CounterpartyId, a.Direction == SmesDirection.Discharge ? "discharge" : "charge",
                R(a.EnergyKwh), R(a.RequestedKwh), R(a.PricePerKwh), a.BuyerId, a.SellerId, a.LimitedBy)).ToList(),
            decision.Smes is { } s ? new SmesPayload(s.SmesId, R(s.NetPowerKw), R(s.ChargedKwh), R(s.DischargedKwh), R(s.StoredEnergyAfterKwh)) : null,
            decision.LineFlows.Select(l => new LineFlowPayload(l.LineId, R(l.FlowKw), R(l.LimitKw))).ToList(),
            new KpiPayload(decision.Kpis.ExecutedTrades, decision.Kpis.FailedTrades, R(decision.Kpis.TransactionSuccessRate),
                R(decision.Kpis.RenewableConsumptionRate), R(decision.Kpis.TotalWelfare)));
        return new RoundRecord(LedgerStream.Matching, LedgerIds.BatchKey(roundId, epoch), siteId, epoch, roundId, JsonSerializer.Serialize(payload, Json));
    }

    /// <summary>The electricity side chain's record of the round.</summary>
    public static RoundRecord Delivery(string siteId, string epoch, string roundId, DateTimeOffset intervalStartUtc, DateTimeOffset intervalEndUtc,
        IReadOnlyList<RigDevice> devices, IReadOnlyList<JournaledSetpoint> setpoints,
        IReadOnlyDictionary<string, double> meterStart, IReadOnlyDictionary<string, double> meterEnd)
    {
        var byDevice = setpoints.ToDictionary(s => s.DeviceId, StringComparer.Ordinal);
        var rows = devices.OrderBy(d => d.Id, StringComparer.Ordinal).Select(d =>
        {
            byDevice.TryGetValue(d.Id, out var sp);
            double? start = meterStart.TryGetValue(d.Id, out var a) ? R(a) : null;
            double? end = meterEnd.TryGetValue(d.Id, out var b) ? R(b) : null;
            return new DevicePayload(d.Id, d.ParticipantId, d.Kind,
                sp is null ? null : R(sp.SetpointKw), sp is null ? null : Instant(sp.ValidUntilUtc), sp?.ReadBackKw is { } rb ? R(rb) : null,
                sp?.Status switch
                {
                    SetpointStatus.Confirmed => "confirmed",
                    SetpointStatus.Missed => "missed",
                    SetpointStatus.Skipped => "skipped",
                    SetpointStatus.Intended => "intended",
                    _ => "none",
                },
                sp?.Detail, start, end, start is { } s0 && end is { } e0 ? R(e0 - s0) : null);
        }).ToList();
        var payload = new DeliveryPayload(roundId, siteId, Instant(intervalStartUtc), Instant(intervalEndUtc), rows);
        return new RoundRecord(LedgerStream.Electricity, LedgerIds.BatchKey(roundId, epoch), siteId, epoch, roundId, JsonSerializer.Serialize(payload, Json));
    }

    /// <summary>Reads a matching record's payload back.</summary>
    public static DecisionPayload ReadDecision(RoundRecord record) =>
        JsonSerializer.Deserialize<DecisionPayload>(record.PayloadJson, Json) ?? throw new FormatException($"matching record {record.Key} is empty");

    /// <summary>Reads an electricity record's payload back.</summary>
    public static DeliveryPayload ReadDelivery(RoundRecord record) =>
        JsonSerializer.Deserialize<DeliveryPayload>(record.PayloadJson, Json) ?? throw new FormatException($"electricity record {record.Key} is empty");

    // Six decimals: a Wh and a thousandth of a fen, stable across runs (no LP round-off in the recorded bytes).
    private static double R(double value) => Math.Round(value, 6) is var r && r == 0 ? 0 : Math.Round(value, 6);

    private static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}

/// <summary>The matching side chain's payload: a round's decision.</summary>
internal sealed record DecisionPayload(string RoundId, string SiteId, string IntervalStartUtc, string IntervalEndUtc, double GridPricePerKwh, double FeedInPricePerKwh,
    IReadOnlyList<QuotationPayload> Quotations, IReadOnlyList<TradePayload> Trades, IReadOnlyList<SmesActionPayload> SmesActions, SmesPayload? Smes,
    IReadOnlyList<LineFlowPayload> LineFlows, KpiPayload Kpis);

/// <summary>One quotation of the round.</summary>
/// <remarks>Public: <see cref="SettlementTrace"/> carries it to <c>gateway trace</c>.</remarks>
public sealed record QuotationPayload(string ParticipantId, string Kind, string Role, string NodeId, double EnergyKwh, double MaxPowerKw);

/// <summary>One match: planned energy and price; a failed one names the line that failed it.</summary>
/// <remarks>Public: <see cref="SettlementTrace"/> carries it to <c>gateway trace</c>.</remarks>
public sealed record TradePayload(string BuyerId, string SellerId, double EnergyKwh, double PricePerKwh, string Status, string? FailedLineId);

/// <summary>What the SMES did for a failed trade's buyer or seller.</summary>
/// <remarks>Public: <see cref="SettlementTrace"/> carries it to <c>gateway trace</c>.</remarks>
public sealed record SmesActionPayload(string CounterpartyId, string Direction, double EnergyKwh, double RequestedKwh, double PricePerKwh, string BuyerId, string SellerId, string? LimitedBy);

/// <summary>The SMES unit's net outcome of the round.</summary>
internal sealed record SmesPayload(string SmesId, double NetPowerKw, double ChargedKwh, double DischargedKwh, double StoredEnergyAfterKwh);

/// <summary>A line's flow and limit with the executed trades.</summary>
internal sealed record LineFlowPayload(string LineId, double FlowKw, double LimitKw);

/// <summary>The round's key figures.</summary>
/// <remarks>Public: <see cref="SettlementTrace"/> carries it to <c>gateway trace</c>.</remarks>
public sealed record KpiPayload(int ExecutedTrades, int FailedTrades, double TransactionSuccessRate, double RenewableConsumptionRate, double TotalWelfare);

/// <summary>The electricity side chain's payload: what each device was told and what it delivered.</summary>
internal sealed record DeliveryPayload(string RoundId, string SiteId, string IntervalStartUtc, string IntervalEndUtc, IReadOnlyList<DevicePayload> Devices);

/// <summary>One device in one interval: setpoint and read-back, and its energy counter (net export, kWh; positive = delivered to the grid).</summary>
/// <remarks>Public: <see cref="SettlementTrace"/> carries it to <c>gateway trace</c>.</remarks>
public sealed record DevicePayload(string DeviceId, string ParticipantId, string Kind, double? SetpointKw, string? ValidUntilUtc, double? ReadBackKw,
    string SetpointStatus, string? Detail, double? MeterStartKwh, double? MeterEndKwh, double? NetExportKwh);
