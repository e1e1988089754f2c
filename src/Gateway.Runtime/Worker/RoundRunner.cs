using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Gateway.Drivers.Devices;
using Gateway.Runtime.Devices;
using Gateway.Runtime.Journal;
using Gateway.Runtime.Ledger;
using Gateway.Rigs;
using Gateway.Runtime.Status;
using Gateway.Runtime.Trading;
using Gateway.LedgerClient;
using Gateway.Market;
using Gateway.Market.Contracts;
using Gateway.Market.Decision;
using Gateway.Market.Model;
using Microsoft.Extensions.Logging;

namespace Gateway.Runtime.Worker;

/// <summary>
/// Runs one market interval end to end — quote, clear, dispatch and verify, meter, settle —
/// journaling each step before it takes effect. Called again for a round the journal holds
/// (after a restart, kill -9 included), it resumes where the round stopped: a confirmed
/// setpoint is not sent again, a settled round is not settled again.
/// </summary>
internal sealed class RoundRunner
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

    /// <summary>
    /// Reads every device afresh (the poller's one-shot poll of all devices, in parallel: pipelined per endpoint), run
    /// when a new round starts so that it quotes on readings taken now rather than up to a poll period ago. Null: the
    /// round uses the links' last readings. Bounded by <see cref="RefreshDeadline"/>; a device that does not answer in
    /// time quotes on its last reading while that is fresh enough (see <see cref="RoundPlanner"/>).
    /// </summary>
    public Func<CancellationToken, Task>? RefreshReadings { get; init; }

    /// <summary>
    /// How long (real time) a round waits for its fresh readings: at most this, and at most a twentieth of the interval
    /// in real time (at ×300 a 15-minute interval is 3 real seconds, and a silent device must not eat it).
    /// </summary>
    public TimeSpan RefreshDeadline { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The planner that names rounds and maps decisions to setpoints.</summary>
    public RoundPlanner Planner => _planner;

    /// <summary>
    /// How much real time may be left of a round's interval when a stop is requested for the gateway to finish the
    /// round (meter, settle, close) rather than park it.
    /// </summary>
    public TimeSpan StopGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The bench's e-stop interlock (null: none). When it trips, the round in progress stops where it is — no further
    /// setpoint is written — and is metered up to the stop, settled and journaled as <see cref="RoundState.Interrupted"/>.
    /// </summary>
    public Gateway.Runtime.Safety.SafetyInterlock? Interlock { get; init; }

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
        var fresh = _journal.StateOf(roundId) is null;
        var late = Math.Max(0, (_clock.GetUtcNow() - intervalStartUtc).TotalSeconds) / Math.Max(_rig.TimeScale, 1e-9);
        double refreshSeconds = 0, dispatchSeconds = 0, startMetersSeconds = 0, endMetersSeconds = 0;
        var step = _wallClock.GetTimestamp();
        if (fresh && RefreshReadings is not null && _clock.GetUtcNow() < intervalEnd && !ReadSince(intervalStartUtc))
        {
            await RefreshAsync(cancellationToken).ConfigureAwait(false);
            refreshSeconds = Lap(ref step);
        }
        var oldestReading = _links.Where(l => l.State != DeviceLinkState.Isolated && l.LastReading is not null).Select(l => l.LastReading!.Timestamp).DefaultIfEmpty(_clock.GetUtcNow()).Min();
        var (round, cleared, decision) = DecideOrRecall(roundId, intervalStartUtc, intervalEnd);
        var clearSeconds = Lap(ref step);
        var decidedAt = _clock.GetUtcNow();
        var dispatchedAt = decidedAt;
        var state = _journal.StateOf(roundId)!.Value;
        string? note = null;
        var trip = Interlock?.TripToken ?? CancellationToken.None;
        using var stopOrTrip = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, trip);
        var roundToken = stopOrTrip.Token;
        try
        {
        if (Interlock is { IsTripped: true }) throw new OperationCanceledException("emergency stop open", trip);
        if (state < RoundState.Delivering)
        {
            if (_clock.GetUtcNow() < intervalEnd)
            {
                DateTimeOffset? ackDeadline = _rig.Operator.RequireAck ? AckDeadline(intervalEnd) : null;
                // Published before anything is dispatched: with requireAck this is what the operator acknowledges.
                Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Decided, null, ackDeadline);
                var ack = ackDeadline is { } until ? await WaitForOperatorAckAsync(roundId, until, intervalEnd, roundToken, parkToken).ConfigureAwait(false) : AckWait.Acknowledged;
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
                    step = _wallClock.GetTimestamp();
                    decision = await DispatchAsync(roundId, round, cleared, decision, intervalEnd, roundToken).ConfigureAwait(false);
                    dispatchedAt = _clock.GetUtcNow();
                    dispatchSeconds = Lap(ref step);
                }
            }
            else
            {
                note = "decided after its interval had ended; nothing dispatched";
            }
            // A round resumed after its interval (the gateway was down while it ended) writes nothing more; a setpoint a
            // crash left between intent and outcome gets its fate now, before the round moves on: it may or may not have
            // reached the device, which is what "missed" says. No round closes with a setpoint still "intended".
            ResolveIntended(roundId, "the gateway stopped before this setpoint's outcome was known, and the interval had ended when it resumed: not written again");
            step = _wallClock.GetTimestamp();
            await ReadMetersAsync(roundId, MeterPhase.Start, roundToken).ConfigureAwait(false);
            startMetersSeconds = Lap(ref step);
            _journal.Advance(roundId, RoundState.Delivering);
        }
        Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Delivering, null, note: note);

        if (!await WaitForIntervalEndAsync(intervalEnd, roundToken, parkToken).ConfigureAwait(false))
        {
            var why = "parked at stop while delivering; the next run meters and settles it";
            _logger.LogWarning("round {Round}: {Note}", roundId, why);
            var parked = Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Delivering, null, note: Join(note, why));
            return new RoundOutcome(roundId, round, decision, _journal.Setpoints(roundId), new Dictionary<string, double>(), [], parked, null) { Parked = true };
        }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && (trip.IsCancellationRequested || Interlock is { IsTripped: true }))
        {
            return await InterruptAsync(roundId, intervalStartUtc, intervalEnd, round, decision, note, cancellationToken).ConfigureAwait(false);
        }

        step = _wallClock.GetTimestamp();
        if (_journal.StateOf(roundId) < RoundState.Metered)
        {
            await ReadMetersAsync(roundId, MeterPhase.End, cancellationToken).ConfigureAwait(false);
            _journal.Advance(roundId, RoundState.Metered);
        }
        endMetersSeconds = Lap(ref step);

        var metered = MeteredNetExport(roundId);
        var settlements = SettlementRecords.Of(roundId, MeteredSettlements.Compute(decision, metered), intervalStartUtc, intervalEnd, _ledger.Epoch);
        Report(roundId, intervalStartUtc, intervalEnd, round, decision, RoundPhase.Metered, null, note: note);
        if (_journal.StateOf(roundId) < RoundState.Settled)
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
        var phases = new RoundPhaseTimes(late, refreshSeconds, clearSeconds, dispatchSeconds, startMetersSeconds, endMetersSeconds, Lap(ref step));
        _logger.LogInformation("round {Round} closed: {Phases}", roundId, phases.Describe());
        return new RoundOutcome(roundId, round, decision, _journal.Setpoints(roundId), metered, settlements, summary,
            fresh ? new RoundTiming(oldestReading, decidedAt, dispatchedAt) : null) { Phases = phases };
    }

    /// <summary>Wall seconds since <paramref name="since"/>, which moves on to now.</summary>
    private double Lap(ref long since)
    {
        var now = _wallClock.GetTimestamp();
        var seconds = (now - since) / (double)_wallClock.TimestampFrequency;
        since = now;
        return seconds;
    }

    /// <summary>
    /// Every device that is not isolated was read at or after <paramref name="time"/>: the round before, back to back, read
    /// them all for its meters at the end of its interval, which is this one's start, so reading them again gives the
    /// quotations nothing newer.
    /// </summary>
    private bool ReadSince(DateTimeOffset time) =>
        _links.All(l => l.State == DeviceLinkState.Isolated || l.LastReading is { } r && r.Timestamp >= time);

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var realInterval = TimeSpan.FromTicks((long)(_rig.Market.Interval.Ticks / Math.Max(_rig.TimeScale, 1e-9)));
        var limit = TimeSpan.FromTicks(Math.Min(RefreshDeadline.Ticks, realInterval.Ticks / 20));
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        try
        {
            await RefreshReadings!(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _logger.LogInformation("fresh readings for the round not all in within {Ms:0} ms; the slow devices quote on their last reading", limit.TotalMilliseconds);
        }
        // Off the thread that completed the last read (a connection's receive thread): clearing, journaling and
        // dispatching must not hold up the answers of other devices on that connection.
        await Task.Yield();
    }

    private static string? Join(string? a, string b) => a is null ? b : a + "; " + b;

    /// <summary>Journals every setpoint of the round still "intended" as missed, with why.</summary>
    private void ResolveIntended(string roundId, string why)
    {
        var open = _journal.Setpoints(roundId).Where(s => s.Status == SetpointStatus.Intended).ToList();
        if (open.Count == 0) return;
        _journal.RecordSetpointOutcomes(roundId, open.Select(s => new SetpointOutcome(s.DeviceId, SetpointStatus.Missed, null, why)).ToList());
        foreach (var s in open)
        {
            _board.Report(new DispatchedSetpoint(roundId, s.DeviceId, s.SetpointKw, s.ValidUntilUtc, SetpointStatus.Missed, null));
            _logger.LogWarning("round {Round}: setpoint {Kw:0.###} kW of {Device} marked missed: {Why}", roundId, s.SetpointKw, s.DeviceId, why);
        }
    }

    /// <summary>
    /// The e-stop tripped during the round: setpoints not yet confirmed are skipped, the meters are read once the
    /// interlock's 0 kW writes are done, what was delivered up to then is settled, and the round is journaled as
    /// interrupted — final, never resumed.
    /// </summary>
    private async Task<RoundOutcome> InterruptAsync(string roundId, DateTimeOffset start, DateTimeOffset end, MarketRound round, RoundDecision decision, string? note,
        CancellationToken cancellationToken)
    {
        var tripId = Interlock?.TripId ?? "emergency stop";
        var why = $"interrupted by {tripId} at {_wallClock.GetUtcNow():HH:mm:ss.fff} (wall time): energy delivered up to the stop is metered and settled, the rest of the interval is not traded";
        _logger.LogWarning("round {Round}: {Note}", roundId, why);
        foreach (var sp in _journal.Setpoints(roundId).Where(s => s.Status == SetpointStatus.Intended))
        {
            _journal.RecordSetpointOutcome(roundId, sp.DeviceId, SetpointStatus.Skipped, null, "emergency stop: not written");
            _board.Report(new DispatchedSetpoint(roundId, sp.DeviceId, sp.SetpointKw, sp.ValidUntilUtc, SetpointStatus.Skipped, null));
        }
        if (Interlock is { } interlock)
        {
            try { await interlock.Zeroing.WaitAsync(cancellationToken).ConfigureAwait(false); }
            catch (Exception e) when (e is not OperationCanceledException) { /* each failure is in the interlock's events */ }
        }
        if (_journal.StateOf(roundId) < RoundState.Metered)
        {
            if (_journal.MeterReadings(roundId, MeterPhase.Start).Count == 0) await ReadMetersAsync(roundId, MeterPhase.Start, cancellationToken).ConfigureAwait(false);
            await ReadMetersAsync(roundId, MeterPhase.End, cancellationToken).ConfigureAwait(false);
            _journal.Advance(roundId, RoundState.Metered);
        }
        var metered = MeteredNetExport(roundId);
        var settlements = SettlementRecords.Of(roundId, MeteredSettlements.Compute(decision, metered), start, end, _ledger.Epoch);
        if (_journal.StateOf(roundId) < RoundState.Settled)
        {
            var resultJson = JsonSerializer.Serialize(new { meteredNetExportKwh = metered, settlements, interruptedBy = tripId });
            var records = _ledger.Records(roundId, start, end, round, decision, _journal.Setpoints(roundId),
                _journal.MeterReadings(roundId, MeterPhase.Start), _journal.MeterReadings(roundId, MeterPhase.End));
            if (await _journal.SettleAsync(roundId, resultJson, (_, tx) => _ledger.EnqueueAsync(tx, roundId, settlements, records, cancellationToken)).ConfigureAwait(false))
                _settlementsQueued?.Invoke();
        }
        _journal.Advance(roundId, RoundState.Interrupted);
        Interlock?.NoteInterrupted(roundId, tripId);
        var summary = Report(roundId, start, end, round, decision, RoundPhase.Interrupted, settlements, note: Join(note, why));
        return new RoundOutcome(roundId, round, decision, _journal.Setpoints(roundId), metered, settlements, summary, null) { Interrupted = true };
    }

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

    private (MarketRound Round, RoundDecision Cleared, RoundDecision Decision) DecideOrRecall(string roundId, DateTimeOffset start, DateTimeOffset end)
    {
        if (_journal.Get(roundId) is { } journaled)
        {
            // The core is deterministic: the journaled input gives back the journaled decision, and the journaled
            // dispatch failures the same re-checked one.
            var recalledRound = RoundJson.Parse(journaled.InputJson);
            var recalled = _core.Clear(recalledRound);
            // A journal written before the journal form dropped the candidate pairs holds the full form.
            if (DecisionJson.SerializeForJournal(recalled) != journaled.DecisionJson && DecisionJson.Serialize(recalled) != journaled.DecisionJson)
                _logger.LogError("round {Round}: the decision recomputed after restart differs from the journaled one; dispatching the recomputed one", roundId);
            var failures = _journal.DispatchFailures(roundId);
            return (recalledRound, recalled, failures.Count == 0 ? recalled : _core.Recheck(recalledRound, recalled, failures));
        }
        var round = _planner.BuildRound(start, _links, _clock.GetUtcNow());
        var decision = _core.Clear(round);
        _journal.BeginRound(roundId, start, end, RoundJson.Serialize(round), DecisionJson.SerializeForJournal(decision));
        _logger.LogInformation("round {Round}: {Buyers} buyers, {Sellers} sellers, {Trades} trades ({Failed} failed), SMES {Smes:0.###} kW",
            roundId, decision.BuyerIds.Count, decision.SellerIds.Count, decision.Trades.Count, decision.Kpis.FailedTrades, decision.Smes?.NetPowerKw ?? 0);
        return (round, decision, decision);
    }

    /// <summary>
    /// Dispatches the round's setpoints and returns the decision they carry out. A device the decision relies on that
    /// cannot be dispatched — isolated since the decision, or its setpoint skipped or missed — is a
    /// <see cref="DispatchFailure"/>: the market core re-checks the cleared decision with it at its fail-safe power
    /// (<see cref="MarketCore.Recheck"/>), and every other device whose setpoint the re-check changes is told the new
    /// value — journaled with why before it is written — until no new failure appears. The failures are journaled, so a
    /// resumed round re-checks the same way; settlements follow the re-checked decision.
    /// </summary>
    private async Task<RoundDecision> DispatchAsync(string roundId, MarketRound round, RoundDecision cleared, RoundDecision decision, DateTimeOffset intervalEnd,
        CancellationToken cancellationToken)
    {
        var links = _links.ToDictionary(l => l.Device.Id, StringComparer.Ordinal);
        var failures = _journal.DispatchFailures(roundId).ToDictionary(f => f.ParticipantId, StringComparer.Ordinal);
        var pending = new List<DispatchFailure>();
        // Devices isolated after the decision was made (it counted on them), and outcomes a crash left un-re-checked.
        var involved = Involved(decision);
        foreach (var link in _links.Where(l => l.State == DeviceLinkState.Isolated && !l.Driver.ReadOnly && involved.Contains(l.Device.ParticipantId)))
            Add(FailSafe(link, SetpointStatus.Skipped, null, null, null, "isolated since the decision (" + (link.LastError ?? "no answer") + ")"));
        foreach (var sp in _journal.Setpoints(roundId).Where(s => s.Status is SetpointStatus.Skipped or SetpointStatus.Missed))
            if (links.TryGetValue(sp.DeviceId, out var link)) Add(FailSafe(link, sp.Status, sp.SetpointKw, sp.ReadBackKw, sp.ErrorKind, sp.Detail ?? sp.Status.ToString().ToLowerInvariant()));

        for (var pass = 0; ; pass++)
        {
            if (failures.Count > 0) decision = _core.Recheck(round, cleared, failures.Values.OrderBy(f => f.ParticipantId, StringComparer.Ordinal).ToList());
            var journaled = _journal.Setpoints(roundId).ToDictionary(s => s.DeviceId, StringComparer.Ordinal);
            var now = _clock.GetUtcNow();
            var work = new List<(PlannedSetpoint Setpoint, DeviceLink Link, TimeSpan ValidFor, DateTimeOffset ValidUntil)>();
            var intents = new List<SetpointIntent>();
            var revisions = new List<SetpointRevision>();
            var because = pending.Count == 0 ? null
                : "re-check: " + string.Join("; ", pending.Select(f => $"{f.ParticipantId} cannot be dispatched ({f.Reason})"));
            foreach (var planned in _planner.Setpoints(decision, round, _links))
            {
                var sp = planned;
                var link = links[sp.DeviceId];
                if (failures.ContainsKey(link.Device.ParticipantId)) continue;
                // Valid a little beyond the interval: the next round replaces it, and if the gateway
                // is gone by then the device falls back to 0 kW on its own.
                var validFor = _rig.Market.Interval + TimeSpan.FromTicks(Math.Max(link.Device.PollPeriod.Ticks * 3, TimeSpan.FromSeconds(30).Ticks));
                if (!journaled.TryGetValue(sp.DeviceId, out var done))
                    intents.Add(new SetpointIntent(sp.DeviceId, sp.SetpointKw, now + validFor));
                else if (failures.Count > 0 && Math.Abs(done.SetpointKw - sp.SetpointKw) > 1e-9)
                {
                    revisions.Add(new SetpointRevision(sp.DeviceId, sp.SetpointKw, now + validFor,
                        $"{because ?? "re-check after a restart"}: {Fmt(done.SetpointKw)} → {Fmt(sp.SetpointKw)} kW ({sp.Why})"));
                    _logger.LogWarning("round {Round}: setpoint of {Device} changed from {Old:0.###} to {New:0.###} kW: {Why}", roundId, sp.DeviceId, done.SetpointKw, sp.SetpointKw,
                        because ?? "re-check after a restart");
                }
                else if (done.Status != SetpointStatus.Intended) continue;
                else if (Math.Abs(done.SetpointKw - sp.SetpointKw) > 1e-9)
                {
                    // Resumed: the device is sent what the journal says it was sent, so journal and device agree even
                    // if the plan recomputed after the restart came out different (a device's state changed meanwhile).
                    _logger.LogWarning("round {Round}: resumed setpoint of {Device} is the journaled {Journaled:0.###} kW (recomputed {Planned:0.###} kW)", roundId,
                        sp.DeviceId, done.SetpointKw, sp.SetpointKw);
                    sp = sp with { SetpointKw = done.SetpointKw };
                }
                work.Add((sp, link, validFor, now + validFor));
            }

            // Loads before PV caps: a PV cap may count on the chargers and the SMES taking power at its node, so while
            // any of those is still to be written in this pass, new PV caps wait for the next pass, after their outcomes
            // and the re-check of any that failed. A cap written beside a load that then failed could not be taken back
            // if the PV became unreachable too (a link-wide outage): the line would carry the PV without the load.
            var heldCaps = work.Any(w => w.Link.Device.Kind != "pv-inverter")
                ? intents.Where(i => links[i.DeviceId].Device.Kind == "pv-inverter").Select(i => i.DeviceId).ToHashSet(StringComparer.Ordinal)
                : [];
            intents.RemoveAll(i => heldCaps.Contains(i.DeviceId));
            work.RemoveAll(w => heldCaps.Contains(w.Setpoint.DeviceId));

            // Every setpoint is on disk before it is sent: new ones in one flush, the failures and the setpoints they
            // change in another (a restart between the two re-checks from the failures' outcomes, see above).
            _journal.RecordSetpointIntents(roundId, intents);
            _journal.RecordRecheck(roundId, pending, revisions);
            pending.Clear();
            if (work.Count == 0) return decision;
            foreach (var w in work)
                _board.Report(new DispatchedSetpoint(roundId, w.Setpoint.DeviceId, w.Setpoint.SetpointKw, w.ValidUntil, SetpointStatus.Intended, null));

            var outcomes = await WriteAllAsync(roundId, work, cancellationToken).ConfigureAwait(false);
            foreach (var (outcome, kw) in outcomes)
                if (outcome.Status is SetpointStatus.Skipped or SetpointStatus.Missed)
                    Add(FailSafe(links[outcome.DeviceId], outcome.Status, kw, outcome.ReadBackKw, outcome.ErrorKind, outcome.Detail ?? outcome.Status.ToString().ToLowerInvariant()));
            if (pending.Count == 0 && heldCaps.Count == 0) return decision;
            if (pass > _links.Count)
            {
                // Unreachable: every pass but the one that holds the PV caps adds a failed participant. Guard against a loop all the same.
                _logger.LogError("round {Round}: dispatch re-check did not settle after {Passes} passes", roundId, pass + 1);
                _journal.RecordRecheck(roundId, pending, []);
                return _core.Recheck(round, cleared, failures.Values.OrderBy(f => f.ParticipantId, StringComparer.Ordinal).ToList());
            }
        }

        void Add(DispatchFailure f)
        {
            if (failures.TryGetValue(f.ParticipantId, out var known))
            {
                // Two devices of one participant: widen to cover both.
                if (f.MinPowerKw < known.MinPowerKw || f.MaxPowerKw > known.MaxPowerKw)
                    failures[f.ParticipantId] = known with { MinPowerKw = Math.Min(known.MinPowerKw, f.MinPowerKw), MaxPowerKw = Math.Max(known.MaxPowerKw, f.MaxPowerKw) };
                return;
            }
            failures[f.ParticipantId] = f;
            pending.Add(f);
        }
    }

    /// <summary>Participants the decision asks for power: trades that execute, SMES actions, the SMES, PV feed-in caps.</summary>
    private static HashSet<string> Involved(RoundDecision decision)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in decision.Trades.Where(t => t.Status == TradeStatus.Executed)) { ids.Add(t.BuyerId); ids.Add(t.SellerId); }
        foreach (var a in decision.SmesActions.Where(a => a.EnergyKwh > 0)) ids.Add(a.CounterpartyId);
        if (decision.Smes is { } smes) ids.Add(smes.SmesId);
        foreach (var f in decision.FeedIn) ids.Add(f.ParticipantId);
        return ids;
    }

    /// <summary>
    /// Where a device that did not take its setpoint may run this interval: a charger or the SMES that certainly did not
    /// get it — skipped, or the write refused — sits at 0 kW (its watchdog's fail-safe), one that read back another value
    /// at that value, one whose write may have landed (no answer in time, a garbled answer, the connection lost) anywhere
    /// between 0 kW and the setpoint; a PV inverter anywhere between 0 kW and its rating (its cap is unknown and its own
    /// revert timer lifts it).
    /// </summary>
    /// <remarks>
    /// A device that did not take its setpoint keeps the previous round's until that one's validity runs out (a poll
    /// period or 30 s into the interval, whichever is longer); the re-check does not model that tail.
    /// </remarks>
    private static DispatchFailure FailSafe(DeviceLink link, SetpointStatus status, double? setpointKw, double? readBackKw, DeviceErrorKind? errorKind, string reason)
    {
        var d = link.Device;
        if (d.Kind == "pv-inverter")
        {
            var reading = link.LastReading;
            var rated = reading is not null && reading.TryGetGood(PointRole.MaxPower, out var r) && r > 0 ? r
                : reading is not null && reading.TryGetGood(PointRole.MeasuredPower, out var p) ? Math.Max(0, p) : Math.Max(0, setpointKw ?? 0);
            return new DispatchFailure(d.ParticipantId, d.NodeId, 0, Math.Max(rated, Math.Max(0, setpointKw ?? 0)), reason);
        }
        if (status == SetpointStatus.Skipped || NotTaken(errorKind)) return DispatchFailure.At(d.ParticipantId, d.NodeId, 0, reason);
        if (readBackKw is { } rb && double.IsFinite(rb)) return DispatchFailure.At(d.ParticipantId, d.NodeId, rb, reason);
        var kw = setpointKw ?? 0;
        return new DispatchFailure(d.ParticipantId, d.NodeId, Math.Min(0, kw), Math.Max(0, kw), reason);
    }

    // These failures mean the device answered and did not take the write. "Unreachable", "Timeout" and "Protocol" are not
    // among them: a write whose answer was lost, late or garbled may have landed.
    private static bool NotTaken(DeviceErrorKind? kind) => kind is DeviceErrorKind.Refused or DeviceErrorKind.ReadOnly or DeviceErrorKind.BadValue;

    /// <summary>Writes <paramref name="work"/> in parallel and journals each outcome as it comes; returns them with their setpoints.</summary>
    private async Task<List<(SetpointOutcome Outcome, double SetpointKw)>> WriteAllAsync(string roundId,
        List<(PlannedSetpoint Setpoint, DeviceLink Link, TimeSpan ValidFor, DateTimeOffset ValidUntil)> work, CancellationToken cancellationToken)
    {
        // Devices are written in parallel (pipelined per endpoint); their outcomes are journaled as they come, those
        // that arrive during a flush together in the next one (group commit), by this loop and not on the thread that
        // received a device's answer.
        var all = new List<(SetpointOutcome, double)>();
        var outcomes = Channel.CreateUnbounded<(SetpointOutcome Outcome, double SetpointKw, DateTimeOffset ValidUntil)>(new UnboundedChannelOptions { SingleReader = true });
        var writes = Task.WhenAll(work.Select(async w =>
        {
            var outcome = await DispatchOneAsync(w.Link, w.Setpoint, w.ValidFor, cancellationToken).ConfigureAwait(false);
            outcomes.Writer.TryWrite((outcome, w.Setpoint.SetpointKw, w.ValidUntil));
        }));
        _ = writes.ContinueWith(static (_, writer) => ((ChannelWriter<(SetpointOutcome, double, DateTimeOffset)>)writer!).TryComplete(),
            outcomes.Writer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        var batch = new List<SetpointOutcome>();
        var reports = new List<DispatchedSetpoint>();
        while (await outcomes.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (outcomes.Reader.TryRead(out var item))
            {
                batch.Add(item.Outcome);
                all.Add((item.Outcome, item.SetpointKw));
                reports.Add(new DispatchedSetpoint(roundId, item.Outcome.DeviceId, item.SetpointKw, item.ValidUntil, item.Outcome.Status, item.Outcome.ReadBackKw));
            }
            _journal.RecordSetpointOutcomes(roundId, batch);
            foreach (var r in reports) _board.Report(r);
            foreach (var o in batch.Where(o => o.Status == SetpointStatus.Missed))
                _logger.LogWarning("round {Round}: device {Device} missed its setpoint {Kw:0.###} kW: {Detail}", roundId, o.DeviceId,
                    reports.First(r => r.DeviceId == o.DeviceId).SetpointKw, o.Detail);
            batch.Clear();
            reports.Clear();
        }
        // A cancellation (or a bug) in a write surfaces here, after what did complete is journaled.
        await writes.ConfigureAwait(false);
        return all;
    }

    private async Task<SetpointOutcome> DispatchOneAsync(DeviceLink link, PlannedSetpoint sp, TimeSpan validFor, CancellationToken cancellationToken)
    {
        if (link.State == DeviceLinkState.Isolated)
            return new SetpointOutcome(sp.DeviceId, SetpointStatus.Skipped, null, "device isolated: " + link.LastError);

        SetpointStatus status;
        double? readBack = null;
        string? detail = null;
        DeviceErrorKind? errorKind = null;
        try
        {
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(_rig.Market.ReadBackDeadline);
            // Checked under the driver lock: the interlock's 0 kW write takes the same lock, so no setpoint lands after it.
            var result = await link.UseDriverAsync((d, ct) => Interlock is { IsTripped: true }
                ? throw new OperationCanceledException("emergency stop: setpoint not written")
                : d.WriteSetpointAsync(sp.SetpointKw, validFor, ct), deadline.Token).ConfigureAwait(false);
            readBack = result.Unit == "kW" ? result.ReadBackValue : result.TargetKw;
            var within = readBack is { } rb && Math.Abs(rb - result.TargetKw) <= _rig.Market.SetpointToleranceKw;
            status = result.Confirmed && within ? SetpointStatus.Confirmed : SetpointStatus.Missed;
            detail = status == SetpointStatus.Missed
                ? $"read back {Fmt(readBack)} kW for {Fmt(result.TargetKw)} kW"
                : result.ClampedBy is { } by ? $"clamped by {by} to {Fmt(result.TargetKw)} kW" : null;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && Interlock is not { IsTripped: true })
        {
            status = SetpointStatus.Missed;
            detail = $"not confirmed within {_rig.Market.ReadBackDeadline.TotalSeconds:0.#} s";
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            status = SetpointStatus.Missed;
            detail = DeviceErrors.Describe(e);
            errorKind = DeviceErrors.KindOf(e);
        }
        return new SetpointOutcome(sp.DeviceId, status, readBack, detail, errorKind);
    }

    private async Task ReadMetersAsync(string roundId, MeterPhase phase, CancellationToken cancellationToken)
    {
        var counters = await Task.WhenAll(_links.Select(async link => (link.Device.Id, Kwh: await ReadNetCounterAsync(link, cancellationToken).ConfigureAwait(false))))
            .ConfigureAwait(false);
        // Off the receive thread that completed the last read; one transaction for the phase: one flush, not one per device.
        await Task.Yield();
        _journal.RecordMeterReadings(roundId, phase, counters.Where(c => c.Kwh is not null).Select(c => new KeyValuePair<string, double>(c.Id, c.Kwh!.Value)).ToList());
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
        var trades = new List<TradeSummary>(decision.Trades.Count);
        // By pair, not by a search per trade: a round of 2,000 participants has ~1,500 trades and as many settlements.
        var settledByPair = new Dictionary<(string, string), decimal>();
        foreach (var x in settlements ?? []) settledByPair.TryAdd((x.PayerId, x.PayeeId), x.EnergyKwh);
        var smesPairs = decision.SmesActions.Where(a => a.EnergyKwh > 0).Select(a => (a.BuyerId, a.SellerId)).ToHashSet();
        foreach (var t in decision.Trades)
        {
            decimal? metered = settledByPair.TryGetValue((t.BuyerId, t.SellerId), out var kwh) ? kwh : null;
            trades.Add(new TradeSummary(t.BuyerId, t.SellerId, t.EnergyKwh, metered is { } m ? (double)m : null, t.PricePerKwh,
                t.Status == TradeStatus.Executed ? "executed" : smesPairs.Contains((t.BuyerId, t.SellerId)) ? "smes" : "failed",
                t.CancelledBecause ?? (t.FailedLineId is { } line ? $"line {line} over its limit" : null), t.FailedLineId));
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
        if (state is RoundPhase.Closed or RoundPhase.Interrupted) _lastAckDeadline.Remove(roundId);
        _board.Report(summary);
        return summary;
    }

    private static string Fmt(double? v) => v is { } x ? x.ToString("0.###", CultureInfo.InvariantCulture) : "nothing";
}
