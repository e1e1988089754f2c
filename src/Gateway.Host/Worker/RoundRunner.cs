using System.Globalization;
using System.Text.Json;
using Gateway.Drivers.Devices;
using Gateway.Host.Devices;
using Gateway.Host.Journal;
using Gateway.Host.Ledger;
using Gateway.Host.Rigs;
using Gateway.Host.Status;
using Gateway.Host.Trading;
using Gateway.LedgerClient;
using Gateway.Market;
using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Model;
using Microsoft.Extensions.Logging;

namespace Gateway.Host.Worker;

/// <summary>
/// Runs one market interval end to end — quote, clear, dispatch and verify, meter, settle —
/// journaling each step before it takes effect. Called again for a round the journal holds
/// (after a restart, kill -9 included), it resumes where the round stopped: a confirmed
/// setpoint is not sent again, a settled round is not settled again.
/// </summary>
public sealed class RoundRunner
{
    private readonly RigDefinition _rig;
    private readonly IReadOnlyList<DeviceLink> _links;
    private readonly RoundJournal _journal;
    private readonly MarketCore _core;
    private readonly RoundPlanner _planner;
    private readonly RoundLedgerWriter _ledger;
    private readonly Action? _settlementsQueued;
    private readonly GatewayStatusBoard _board;
    private readonly TimeProvider _clock;
    private readonly TimeProvider _wallClock;
    private readonly ILogger _logger;
    private readonly Dictionary<string, DateTimeOffset?> _lastAckDeadline = new(StringComparer.Ordinal);

    /// <summary>Create a runner; <paramref name="ledger"/> queues what a settled round puts on the three streams, <paramref name="settlementsQueued"/> wakes the outbox dispatcher.</summary>
    /// <param name="rig">The rig.</param>
    /// <param name="links">Every device link.</param>
    /// <param name="journal">The round journal.</param>
    /// <param name="core">The market core.</param>
    /// <param name="ledger">Queues a settled round's settlements, decision and delivery in the journal's outbox.</param>
    /// <param name="settlementsQueued">Wakes the outbox dispatcher.</param>
    /// <param name="board">What operators see.</param>
    /// <param name="clock">The plant clock (intervals, setpoint validity).</param>
    /// <param name="logger">Round events.</param>
    /// <param name="wallClock">Wall time: acknowledgement deadlines run on it (default: the system's).</param>
    public RoundRunner(RigDefinition rig, IReadOnlyList<DeviceLink> links, RoundJournal journal, MarketCore core, RoundLedgerWriter ledger,
        Action? settlementsQueued, GatewayStatusBoard board, TimeProvider clock, ILogger logger, TimeProvider? wallClock = null)
    {
        _wallClock = wallClock ?? TimeProvider.System;
        _rig = rig;
        _links = links;
        _journal = journal;
        _core = core;
        _planner = new RoundPlanner(rig);
        _ledger = ledger;
        _settlementsQueued = settlementsQueued;
        _board = board;
        _clock = clock;
        _logger = logger;
    }

    /// <summary>The planner that names rounds and maps decisions to setpoints.</summary>
    public RoundPlanner Planner => _planner;

    /// <summary>
    /// How much real time may be left of a round's interval when a stop is requested for the gateway to finish the
    /// round (meter, settle, close) rather than park it.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Run (or resume) the round of the interval starting at <paramref name="intervalStartUtc"/>.</summary>
    /// <param name="intervalStartUtc">Start of the interval.</param>
    /// <param name="cancellationToken">Stops at once: whatever step runs is abandoned (the journal keeps what was done).</param>
    /// <param name="parkToken">
    /// A requested stop: a round waiting for an operator stays decided, and a delivering round whose interval ends later
    /// than <see cref="StopGrace"/> from now stays delivering — both journaled, for the next run to resume. A dispatch
    /// in progress finishes first (bounded by the read-back deadline).
    /// </param>
    public async Task<RoundOutcome> RunAsync(DateTimeOffset intervalStartUtc, CancellationToken cancellationToken = default, CancellationToken parkToken = default)
    {
        var intervalEnd = intervalStartUtc + _rig.Market.Interval;
        var roundId = _planner.RoundId(intervalStartUtc);
        var fresh = _journal.Get(roundId) is null;
        var oldestReading = _links.Where(l => l.State != DeviceLinkState.Isolated && l.LastReading is not null).Select(l => l.LastReading!.Timestamp).DefaultIfEmpty(_clock.GetUtcNow()).Min();
        var (round, decision) = DecideOrRecall(roundId, intervalStartUtc, intervalEnd);
        var decidedAt = _clock.GetUtcNow();
        var dispatchedAt = decidedAt;
        var state = _journal.Get(roundId)!.State;
        string? note = null;

        if (state < RoundState.Delivering)
        {
            if (_clock.GetUtcNow() < intervalEnd)
            {
                DateTimeOffset? ackDeadline = _rig.Operator.RequireAck ? AckDeadline(intervalEnd) : null;
                // Published before anything is dispatched: with requireAck this is what the operator acknowledges.
                Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Decided, null, ackDeadline);
                var ack = ackDeadline is { } until ? await WaitForOperatorAckAsync(roundId, until, intervalEnd, cancellationToken, parkToken).ConfigureAwait(false) : AckWait.Acknowledged;
                if (ack == AckWait.Parked)
                {
                    note = "parked at stop while waiting for an operator's acknowledgement; the next run resumes it";
                    _logger.LogWarning("round {Round}: {Note}", roundId, note);
                    var parked = Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Decided, null, ackDeadline, note);
                    return new RoundOutcome(roundId, round, decision, _journal.Setpoints(roundId), new Dictionary<string, double>(), [], parked, null) { Parked = true };
                }
                if (ack == AckWait.Expired)
                {
                    note = $"no operator acknowledgement by {ackDeadline:HH:mm:ss} (wall time); nothing dispatched";
                    _logger.LogWarning("round {Round}: no operator acknowledgement by {Deadline:O}; nothing dispatched", roundId, ackDeadline);
                    foreach (var sp in _planner.Setpoints(decision, round, _links))
                    {
                        _journal.RecordSetpointIntent(roundId, sp.DeviceId, 0, intervalEnd);
                        _journal.RecordSetpointOutcome(roundId, sp.DeviceId, SetpointStatus.Skipped, null, "no operator acknowledgement");
                    }
                }
                else
                {
                    _journal.Advance(roundId, RoundState.Dispatching);
                    Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Dispatching, null, ackDeadline);
                    await DispatchAsync(roundId, round, decision, intervalEnd, cancellationToken).ConfigureAwait(false);
                    dispatchedAt = _clock.GetUtcNow();
                }
            }
            else
            {
                note = "decided after its interval had ended; nothing dispatched";
            }
            await ReadMetersAsync(roundId, MeterPhase.Start, cancellationToken).ConfigureAwait(false);
            _journal.Advance(roundId, RoundState.Delivering);
        }
        Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Delivering, null, note: note);

        if (!await WaitForIntervalEndAsync(intervalEnd, cancellationToken, parkToken).ConfigureAwait(false))
        {
            var why = "parked at stop while delivering; the next run meters and settles it";
            _logger.LogWarning("round {Round}: {Note}", roundId, why);
            var parked = Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Delivering, null, note: Join(note, why));
            return new RoundOutcome(roundId, round, decision, _journal.Setpoints(roundId), new Dictionary<string, double>(), [], parked, null) { Parked = true };
        }

        if (_journal.Get(roundId)!.State < RoundState.Metered)
        {
            await ReadMetersAsync(roundId, MeterPhase.End, cancellationToken).ConfigureAwait(false);
            _journal.Advance(roundId, RoundState.Metered);
        }

        var metered = MeteredNetExport(roundId);
        var settlements = MeteredSettlements.Compute(roundId, decision, metered, intervalStartUtc, intervalEnd, _ledger.Epoch);
        Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Metered, null, note: note);
        if (_journal.Get(roundId)!.State < RoundState.Settled)
        {
            var resultJson = JsonSerializer.Serialize(new { meteredNetExportKwh = metered, settlements });
            var records = _ledger.Records(roundId, intervalStartUtc, intervalEnd, round, decision, _journal.Setpoints(roundId),
                _journal.MeterReadings(roundId, MeterPhase.Start), _journal.MeterReadings(roundId, MeterPhase.End));
            if (await _journal.SettleAsync(roundId, resultJson, (_, tx) => _ledger.EnqueueAsync(tx, roundId, settlements, records, cancellationToken)).ConfigureAwait(false))
                _settlementsQueued?.Invoke();
        }
        Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Settled, settlements, note: note);
        _journal.Advance(roundId, RoundState.Closed);
        var summary = Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Closed, settlements, note: note);
        return new RoundOutcome(roundId, round, decision, _journal.Setpoints(roundId), metered, settlements, summary,
            fresh ? new RoundTiming(oldestReading, decidedAt, dispatchedAt) : null);
    }

    private static string? Join(string? a, string b) => a is null ? b : a + "; " + b;

    /// <summary>
    /// When the wait for an operator ends, on wall time: the rig's deadline, or earlier when half of what is left of the
    /// plant's interval has passed first — a dispatch later than that delivers little and makes the next round late
    /// (at ×180 a 15-minute interval is 5 real seconds).
    /// </summary>
    private DateTimeOffset AckDeadline(DateTimeOffset intervalEnd)
    {
        var wallNow = _wallClock.GetUtcNow();
        var plantLeft = intervalEnd - _clock.GetUtcNow();
        var realLeft = TimeSpan.FromTicks((long)(Math.Max(0, plantLeft.Ticks) / Math.Max(_rig.TimeScale, 1e-9)));
        var byDeadline = wallNow + _rig.Operator.AckDeadline;
        var byInterval = wallNow + realLeft / 2;
        return byDeadline < byInterval ? byDeadline : byInterval;
    }

    private enum AckWait { Acknowledged, Expired, Parked }

    private async Task<AckWait> WaitForOperatorAckAsync(string roundId, DateTimeOffset deadlineWall, DateTimeOffset intervalEnd, CancellationToken cancellationToken, CancellationToken parkToken)
    {
        if (_board.IsAcknowledged(roundId)) return AckWait.Acknowledged;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, parkToken);
        var acknowledged = _board.WhenAcknowledged(roundId);
        var wallLeft = deadlineWall - _wallClock.GetUtcNow();
        var plantLeft = intervalEnd - _clock.GetUtcNow();
        var expired = Task.Delay(wallLeft > TimeSpan.Zero ? wallLeft : TimeSpan.Zero, _wallClock, linked.Token);
        var intervalOver = Task.Delay(plantLeft > TimeSpan.Zero ? plantLeft : TimeSpan.Zero, _clock, linked.Token);
        var stopped = Task.Delay(Timeout.InfiniteTimeSpan, linked.Token);
        await Task.WhenAny(acknowledged, expired, intervalOver, stopped).ConfigureAwait(false);
        linked.Cancel();
        if (acknowledged.IsCompleted) return AckWait.Acknowledged;
        cancellationToken.ThrowIfCancellationRequested();
        if (parkToken.IsCancellationRequested) return AckWait.Parked;
        return AckWait.Expired;
    }

    /// <summary>Wait for the interval to end; false when a stop parks the round instead (the interval ends beyond the grace).</summary>
    private async Task<bool> WaitForIntervalEndAsync(DateTimeOffset intervalEnd, CancellationToken cancellationToken, CancellationToken parkToken)
    {
        var wait = intervalEnd - _clock.GetUtcNow();
        if (wait <= TimeSpan.Zero) return true;
        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, parkToken);
            await Task.Delay(wait, _clock, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var plantLeft = intervalEnd - _clock.GetUtcNow();
            var realLeft = TimeSpan.FromTicks((long)(Math.Max(0, plantLeft.Ticks) / Math.Max(_rig.TimeScale, 1e-9)));
            if (realLeft > StopGrace) return false;
            _logger.LogWarning("stop requested: finishing the round first ({Seconds:0.#} s of its interval left)", realLeft.TotalSeconds);
            if (plantLeft > TimeSpan.Zero) await Task.Delay(plantLeft, _clock, cancellationToken).ConfigureAwait(false);
            return true;
        }
    }

    private (MarketRound Round, RoundDecision Decision) DecideOrRecall(string roundId, DateTimeOffset start, DateTimeOffset end)
    {
        if (_journal.Get(roundId) is { } journaled)
        {
            // The core is deterministic: the journaled input gives back the journaled decision.
            var recalledRound = RoundJson.Parse(journaled.InputJson);
            var recalled = _core.Clear(recalledRound);
            if (DecisionJson.Serialize(recalled) != journaled.DecisionJson)
                _logger.LogError("round {Round}: the decision recomputed after restart differs from the journaled one; dispatching the recomputed one", roundId);
            return (recalledRound, recalled);
        }
        var round = _planner.BuildRound(start, _links, _clock.GetUtcNow());
        var decision = _core.Clear(round);
        _journal.BeginRound(roundId, start, end, RoundJson.Serialize(round), DecisionJson.Serialize(decision));
        _logger.LogInformation("round {Round}: {Buyers} buyers, {Sellers} sellers, {Trades} trades ({Failed} failed), SMES {Smes:0.###} kW",
            roundId, decision.BuyerIds.Count, decision.SellerIds.Count, decision.Trades.Count, decision.Kpis.FailedTrades, decision.Smes?.NetPowerKw ?? 0);
        return (round, decision);
    }

    private async Task DispatchAsync(string roundId, MarketRound round, RoundDecision decision, DateTimeOffset intervalEnd, CancellationToken cancellationToken)
    {
        var journaled = _journal.Setpoints(roundId).ToDictionary(s => s.DeviceId, StringComparer.Ordinal);
        var planned = _planner.Setpoints(decision, round, _links);
        var tasks = new List<Task>();
        foreach (var sp in planned)
        {
            if (journaled.TryGetValue(sp.DeviceId, out var done) && done.Status != SetpointStatus.Intended) continue;
            var link = _links.First(l => l.Device.Id == sp.DeviceId);
            tasks.Add(DispatchOneAsync(roundId, link, sp, intervalEnd, cancellationToken));
        }
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private async Task DispatchOneAsync(string roundId, DeviceLink link, PlannedSetpoint sp, DateTimeOffset intervalEnd, CancellationToken cancellationToken)
    {
        // Valid a little beyond the interval: the next round replaces it, and if the gateway
        // is gone by then the device falls back to 0 kW on its own.
        var validFor = _rig.Market.Interval + TimeSpan.FromTicks(Math.Max(link.Device.PollPeriod.Ticks * 3, TimeSpan.FromSeconds(30).Ticks));
        var validUntil = _clock.GetUtcNow() + validFor;
        _journal.RecordSetpointIntent(roundId, sp.DeviceId, sp.SetpointKw, validUntil);
        _board.Report(new DispatchedSetpoint(roundId, sp.DeviceId, sp.SetpointKw, validUntil, SetpointStatus.Intended, null));
        if (link.State == DeviceLinkState.Isolated)
        {
            _journal.RecordSetpointOutcome(roundId, sp.DeviceId, SetpointStatus.Skipped, null, "device isolated: " + link.LastError);
            _board.Report(new DispatchedSetpoint(roundId, sp.DeviceId, sp.SetpointKw, validUntil, SetpointStatus.Skipped, null));
            return;
        }

        SetpointStatus status;
        double? readBack = null;
        string? detail = null;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_rig.Market.ReadBackDeadline);
            var result = await link.UseDriverAsync((d, ct) => d.WriteSetpointAsync(sp.SetpointKw, validFor, ct), deadline.Token).ConfigureAwait(false);
            readBack = result.Unit == "kW" ? result.ReadBackValue : result.TargetKw;
            var within = readBack is { } rb && Math.Abs(rb - result.TargetKw) <= _rig.Market.SetpointToleranceKw;
            status = result.Confirmed && within ? SetpointStatus.Confirmed : SetpointStatus.Missed;
            detail = status == SetpointStatus.Missed
                ? $"read back {Fmt(readBack)} kW for {Fmt(result.TargetKw)} kW"
                : result.ClampedBy is { } by ? $"clamped by {by} to {Fmt(result.TargetKw)} kW" : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            status = SetpointStatus.Missed;
            detail = $"not confirmed within {_rig.Market.ReadBackDeadline.TotalSeconds:0.#} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            status = SetpointStatus.Missed;
            detail = DeviceErrors.Describe(e);
        }
        _journal.RecordSetpointOutcome(roundId, sp.DeviceId, status, readBack, detail);
        _board.Report(new DispatchedSetpoint(roundId, sp.DeviceId, sp.SetpointKw, validUntil, status, readBack));
        if (status == SetpointStatus.Missed)
            _logger.LogWarning("round {Round}: device {Device} missed its setpoint {Kw:0.###} kW: {Detail}", roundId, sp.DeviceId, sp.SetpointKw, detail);
    }

    private async Task ReadMetersAsync(string roundId, MeterPhase phase, CancellationToken cancellationToken)
    {
        var tasks = _links.Select(async link =>
        {
            var counter = await ReadNetCounterAsync(link, cancellationToken).ConfigureAwait(false);
            if (counter is { } kwh) _journal.RecordMeterReading(roundId, link.Device.Id, phase, kwh);
        });
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    /// <summary>Exported − imported energy counter of a device, kWh, read fresh (the last poll's value if the device does not answer).</summary>
    private async Task<double?> ReadNetCounterAsync(DeviceLink link, CancellationToken cancellationToken)
    {
        DeviceReading? reading = null;
        if (link.State != DeviceLinkState.Isolated)
        {
            try
            {
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                deadline.CancelAfter(_rig.Market.ReadBackDeadline);
                reading = await link.UseDriverAsync((d, ct) => d.ReadAsync(ct), deadline.Token).ConfigureAwait(false);
                link.RecordReading(reading);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _logger.LogDebug(e, "meter read of {Device} failed; using its last reading", link.Device.Id);
            }
        }
        reading ??= link.LastReading;
        if (reading is null) return null;
        var hasExport = reading.TryGetGood(PointRole.EnergyExported, out var exported);
        var hasImport = reading.TryGetGood(PointRole.EnergyImported, out var imported);
        return hasExport || hasImport ? exported - imported : null;
    }

    private Dictionary<string, double> MeteredNetExport(string roundId)
    {
        var start = _journal.MeterReadings(roundId, MeterPhase.Start);
        var end = _journal.MeterReadings(roundId, MeterPhase.End);
        var byParticipant = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var link in _links)
        {
            if (start.TryGetValue(link.Device.Id, out var s) && end.TryGetValue(link.Device.Id, out var e))
                byParticipant[link.Device.ParticipantId] = byParticipant.GetValueOrDefault(link.Device.ParticipantId) + (e - s);
        }
        return byParticipant;
    }

    private RoundSummary Report(string roundId, DateTimeOffset start, DateTimeOffset end, MarketRound round, RoundDecision decision, RoundPhase state,
        IReadOnlyList<SettlementRecord>? settlements, DateTimeOffset? ackDeadline = null, string? note = null)
    {
        var setpoints = _journal.Setpoints(roundId);
        var trades = new List<TradeSummary>();
        foreach (var t in decision.Trades)
        {
            var metered = settlements?.FirstOrDefault(s => s.PayerId == t.BuyerId && s.PayeeId == t.SellerId)?.EnergyKwh;
            trades.Add(new TradeSummary(t.BuyerId, t.SellerId, t.EnergyKwh, metered is { } m ? (double)m : null, t.PricePerKwh,
                t.Status == TradeStatus.Executed ? "executed" : decision.SmesActions.Any(a => a.BuyerId == t.BuyerId && a.SellerId == t.SellerId && a.EnergyKwh > 0) ? "smes" : "failed",
                t.FailedLineId is { } line ? $"line {line} over its limit" : null, t.FailedLineId));
        }
        var smesKwh = decision.Smes is { } s ? s.DischargedKwh - s.ChargedKwh : 0;
        var bought = round.Participants.Where(q => q.Role == TradeRole.Buyer).Sum(q => q.EnergyKwh);
        var served = decision.Trades.Where(t => t.Status == TradeStatus.Executed).Sum(t => t.EnergyKwh)
                     + decision.SmesActions.Where(a => a.Direction == SmesDirection.Discharge).Sum(a => a.EnergyKwh);
        var summary = new RoundSummary(roundId, start, end, state, decision.BuyerIds.Count, decision.SellerIds.Count, trades, smesKwh,
            Math.Max(0, bought - served), decision.Kpis.TransactionSuccessRate, decision.Kpis.RenewableConsumptionRate, decision.Kpis.TotalWelfare,
            setpoints.Count(p => p.Status == SetpointStatus.Confirmed), setpoints.Count(p => p.Status is SetpointStatus.Missed or SetpointStatus.Skipped),
            ackDeadline ?? (_rig.Operator.RequireAck ? _lastAckDeadline.GetValueOrDefault(roundId) : null), note);
        if (ackDeadline is { } d) _lastAckDeadline[roundId] = d;
        if (state == RoundPhase.Closed) _lastAckDeadline.Remove(roundId);
        _board.Report(summary);
        return summary;
    }

    private static string Fmt(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "nothing";
}
