using Gateway.DeviceSims.Devices;
using Gateway.Runtime.Journal;
using Gateway.Rigs;

namespace Gateway.Reliability.Tests;

/// <summary>
/// Counts what a run did to the plant and the ledger, from durable evidence only:
/// <list type="bullet">
/// <item>setpoints: each device's received writes (simulator log) matched in order against the journal's setpoints
/// of that device. A confirmed setpoint the device never received is <b>lost</b>, as is one still "intended" when the
/// run ended; a write that matches no journaled setpoint at its place in the order (an old order applied again after a
/// newer one, or a value never ordered) is <b>doubled</b>. The same value written again right after itself (a resumed
/// round re-sending an order whose fate the crash left unknown) is idempotent and counted apart.</item>
/// <item>limits: every write attempt against the device's range from the simulators' scenario, every journaled
/// setpoint against its device, and every line's flow recomputed from each round's setpoints and base loads.</item>
/// <item>settlements: the journal's outbox against the ledger's rows: queued but not on the ledger is <b>lost</b>, on
/// the ledger more often than queued (or not queued at all) is <b>doubled</b>.</item>
/// <item>rounds affected: rounds with any setpoint not confirmed, rounds a device sat out (isolated: no setpoint planned
/// for it, see <see cref="SiteDispatch"/>), rounds still open, and intervals skipped between the first and last round.</item>
/// </list>
/// </summary>
internal sealed class RunAudit
{
    private const double ToleranceKw = 0.06;

    public required RigDefinition Rig { get; init; }
    public required SimulatedRig Sims { get; init; }
    public required string JournalPath { get; init; }
    public required SetpointWriteLog Writes { get; init; }

    /// <summary>What the ledger holds; by default the embedded ledger's file named by the rig.</summary>
    public Func<IReadOnlyList<SettlementRow>>? LedgerSettlements { get; init; }

    /// <summary>Match times of journaled setpoints: (round, device) → wall seconds of the write that delivered it.</summary>
    public Dictionary<(string Round, string Device), double> DeliveredAt { get; } = [];

    public FaultRow Count(string fault, string injected, int seed, bool ledgerVerified, Func<RunAudit, (double? Seconds, string? Note)>? recovery = null)
    {
        var problems = new List<string>();
        var rounds = JournalView.Rounds(JournalPath);
        var setpoints = JournalView.Setpoints(JournalPath);
        var writes = Writes.Snapshot();

        var (lost, doubled, resent) = MatchWrites(setpoints, writes, problems);
        var over = OverLimit(setpoints, writes, problems);

        var outbox = JournalView.Outbox(JournalPath);
        var ledger = LedgerSettlements?.Invoke() ?? JournalView.Ledger(Rig.Ledger.EmbeddedPath);
        var ledgerIds = ledger.GroupBy(s => s.SettlementId).ToDictionary(g => g.Key, g => g.Count());
        var queued = outbox.Select(s => s.SettlementId).ToHashSet();
        var settlementsLost = outbox.Count(s => !ledgerIds.ContainsKey(s.SettlementId));
        var settlementsDoubled = ledgerIds.Sum(kv => queued.Contains(kv.Key) ? kv.Value - 1 : kv.Value);
        // The same trade settled twice under two ids (a round settled again after a restart).
        settlementsDoubled += ledger.GroupBy(s => (s.RoundId, s.PayerId, s.PayeeId)).Sum(g => Math.Max(0, g.Count() - outbox.Count(o => (o.RoundId, o.PayerId, o.PayeeId) == g.Key)));
        if (settlementsLost > 0) problems.Add($"not on the ledger: {string.Join(", ", outbox.Where(s => !ledgerIds.ContainsKey(s.SettlementId)).Select(s => s.SettlementId).Take(5))}");
        var dispatch = new SiteDispatch(Rig);
        var byRound = setpoints.ToLookup(s => s.RoundId, StringComparer.Ordinal);
        var affected = rounds.Count(r => r.State != RoundState.Closed || !dispatch.IsWhole([.. byRound[r.RoundId]]));
        var skipped = 0;
        for (var i = 1; i < rounds.Count; i++)
            skipped += (int)Math.Max(0, (rounds[i].IntervalStart - rounds[i - 1].IntervalStart).Ticks / Rig.Market.Interval.Ticks - 1);
        var (seconds, note) = recovery?.Invoke(this) ?? (null, null);
        return new FaultRow
        {
            Fault = fault, Injected = injected, Seed = seed, Rounds = rounds.Count + skipped, RoundsAffected = affected + skipped,
            SetpointsWritten = writes.Count(w => w.Accepted), SetpointsLost = lost, SetpointsDoubled = doubled, SameValueResent = resent,
            OverLimit = over, Settlements = outbox.Count, SettlementsLost = settlementsLost, SettlementsDoubled = settlementsDoubled,
            RecoverySeconds = seconds is { } s ? Math.Round(s, 2) : null, RecoveryNote = note, LedgerVerified = ledgerVerified, Problems = problems,
        };
    }

    /// <summary>The journal's setpoints of each tracked device against what that device received, in order.</summary>
    private (int Lost, int Doubled, int Resent) MatchWrites(List<JournalSetpoint> setpoints, IReadOnlyList<SetpointWrite> writes, List<string> problems)
    {
        int lost = 0, doubled = 0, resent = 0;
        foreach (var device in Sims.Devices.Where(SetpointWriteLog.Tracked))
        {
            var journal = setpoints.Where(s => s.DeviceId == device.Id && s.Status != SetpointStatus.Skipped).ToList();
            var received = writes.Where(w => w.DeviceId == device.Id && w.Accepted).ToList();
            var (l, d, r) = Align(device.Id, journal, received, problems);
            lost += l;
            doubled += d;
            resent += r;
        }
        // Unresolved setpoints of untracked devices (PV) count as lost too: the journal must know every setpoint's fate.
        foreach (var s in setpoints.Where(s => s.Status == SetpointStatus.Intended && Sims.Find(s.DeviceId) is { } d && !SetpointWriteLog.Tracked(d)))
        {
            lost++;
            problems.Add($"{s.DeviceId}: round {s.RoundId} still intended at the end");
        }
        return (lost, doubled, resent);
    }

    /// <summary>
    /// The cheapest explanation of a device's received writes by its journaled setpoints, in order (an alignment by
    /// dynamic programming, since consecutive setpoints are often within the tolerance of each other): a journaled
    /// setpoint may be matched by a write (free), left without one (free when the journal says missed — it may never
    /// have arrived — lost when it says confirmed or intended), or written again right after itself (resent, nearly
    /// free); a write nothing explains is doubled. Lost and doubled cost alike, so a real loss or double is never hidden.
    /// </summary>
    private (int Lost, int Doubled, int Resent) Align(string deviceId, List<JournalSetpoint> journal, List<SetpointWrite> writes, List<string> problems)
    {
        const int Bad = 1000, Resend = 1;
        int n = writes.Count, m = journal.Count;
        var cost = new int[n + 1, m + 1];
        var move = new byte[n + 1, m + 1]; // 1 match, 2 skip journal, 3 resend, 4 unexplained write
        for (var i = n; i >= 0; i--)
            for (var j = m; j >= 0; j--)
            {
                if (i == n && j == m) continue;
                var best = int.MaxValue;
                byte how = 0;
                if (i < n && j < m && Matches(writes[i].Kw, journal[j]) && cost[i + 1, j + 1] < best) { best = cost[i + 1, j + 1]; how = 1; }
                if (j < m)
                {
                    // Among setpoints of equal value, one still "intended" is the one blamed for a missing write before
                    // a confirmed one (+1): a run of identical 0 kW setpoints must not pin a crash's unsent order on a
                    // round that was confirmed. Either way it counts as one lost.
                    var c = journal[j].Status switch { SetpointStatus.Missed => 0, SetpointStatus.Intended => Bad, _ => Bad + 1 } + cost[i, j + 1];
                    if (c < best) { best = c; how = 2; }
                }
                if (i < n && j > 0 && Matches(writes[i].Kw, journal[j - 1]) && Resend + cost[i + 1, j] < best) { best = Resend + cost[i + 1, j]; how = 3; }
                if (i < n && Bad + cost[i + 1, j] < best) { best = Bad + cost[i + 1, j]; how = 4; }
                cost[i, j] = best;
                move[i, j] = how;
            }
        int lost = 0, doubled = 0, resent = 0, x = 0, y = 0;
        while (x < n || y < m)
        {
            switch (move[x, y])
            {
                case 1:
                    DeliveredAt[(journal[y].RoundId, deviceId)] = writes[x].AtSeconds;
                    x++; y++;
                    break;
                case 2:
                    if (journal[y].Status != SetpointStatus.Missed)
                    {
                        lost++;
                        problems.Add($"{deviceId}: round {journal[y].RoundId} {journal[y].Status.ToString().ToLowerInvariant()} {journal[y].SetpointKw:0.###} kW but the device never received it");
                    }
                    y++;
                    break;
                case 3:
                    resent++;
                    x++;
                    break;
                default:
                    doubled++;
                    problems.Add($"{deviceId} received {writes[x].Kw:0.###} kW at {writes[x].AtSeconds:0.0} s, which no journaled setpoint explains at that place ({(y > 0 ? "after " + journal[y - 1].RoundId : "before any round")})");
                    x++;
                    break;
            }
        }
        return (lost, doubled, resent);
    }

    private static bool Matches(double kw, JournalSetpoint s) =>
        Math.Abs(kw - s.SetpointKw) <= ToleranceKw || (s.ReadBackKw is { } rb && Math.Abs(kw - rb) <= ToleranceKw);

    private int OverLimit(List<JournalSetpoint> setpoints, IReadOnlyList<SetpointWrite> writes, List<string> problems)
    {
        var over = 0;
        (double Min, double Max)? Limits(string id) => Sims.Find(id)?.Definition switch
        {
            { Ev: { } ev } => (-ev.MaxChargeKw, ev.MaxDischargeKw),
            { Smes: { } smes } => (-smes.MaxPowerKw, smes.MaxPowerKw),
            { Pv: { } pv } => (0, pv.RatedKwp),
            _ => null,
        };
        foreach (var w in writes)
            if (Limits(w.DeviceId) is { } l && (double.IsNaN(w.Kw) || w.Kw < l.Min - 1e-6 || w.Kw > l.Max + 1e-6))
            {
                over++;
                problems.Add($"{w.DeviceId} was sent {w.Kw:0.###} kW, outside [{l.Min}, {l.Max}]");
            }
        foreach (var s in setpoints.Where(s => s.Status != SetpointStatus.Skipped))
            if (Limits(s.DeviceId) is { } l && (s.SetpointKw < l.Min - 1e-6 || s.SetpointKw > l.Max + 1e-6))
            {
                over++;
                problems.Add($"round {s.RoundId}: {s.DeviceId} ordered {s.SetpointKw:0.###} kW, outside [{l.Min}, {l.Max}]");
            }
        // Line flows on the radial feeder from each round's setpoints (confirmed or possibly delivered) and base loads. A
        // missed setpoint of a device whose writes are logged counts only when the device did receive it (the alignment
        // matched it to a write); otherwise the device sat at its fail-safe 0 kW. Untracked devices (PV): as journaled.
        foreach (var round in setpoints.GroupBy(s => s.RoundId))
        {
            var injection = Rig.Feeder.Nodes.ToDictionary(n => n.Id, n => -n.BaseLoadKw);
            foreach (var s in round.Where(s => s.Status != SetpointStatus.Skipped && !s.Superseded))
            {
                if (s.Status == SetpointStatus.Missed && Sims.Find(s.DeviceId) is { } sim && SetpointWriteLog.Tracked(sim) && !DeliveredAt.ContainsKey((s.RoundId, s.DeviceId)))
                    continue;
                if (Rig.Devices.FirstOrDefault(d => d.Id == s.DeviceId) is { } d) injection[d.NodeId] += s.SetpointKw;
            }
            foreach (var line in Rig.Feeder.Lines)
            {
                var flow = Subtree(line.ToNodeId).Sum(n => injection[n]);
                if (Math.Abs(flow) > line.LimitKw + 1e-6)
                {
                    over++;
                    problems.Add($"round {round.Key}: line {line.Id} carries {flow:0.###} kW over its {line.LimitKw} kW");
                }
            }
        }
        return over;
    }

    private IEnumerable<string> Subtree(string node)
    {
        yield return node;
        foreach (var child in Rig.Feeder.Lines.Where(l => l.FromNodeId == node))
            foreach (var n in Subtree(child.ToNodeId)) yield return n;
    }

    /// <summary>
    /// Seconds from <paramref name="healedAt"/> (log clock) to the moment the devices received the last setpoint of the
    /// first round after it that set every device and had each setpoint confirmed: the site fully dispatched again. With
    /// <paramref name="notAmong"/> (the rounds the journal held at the heal), only rounds begun after the heal count.
    /// </summary>
    /// <remarks>
    /// Without it, an early round whose setpoints a device is sent again and again after the heal (a night round, every
    /// charger at 0 kW, and keep-alives re-sending 0 kW) could be matched to those later writes and named as the recovery.
    /// </remarks>
    public (double? Seconds, string? Note) RecoveryAfter(double healedAt, IReadOnlySet<string>? notAmong = null)
    {
        var setpoints = JournalView.Setpoints(JournalPath);
        var writes = Writes.Snapshot();
        var dispatch = new SiteDispatch(Rig);
        foreach (var round in JournalView.Rounds(JournalPath).Where(r => notAmong?.Contains(r.RoundId) != true))
        {
            var sps = setpoints.Where(s => s.RoundId == round.RoundId).ToList();
            if (!dispatch.IsWhole(sps)) continue;
            var times = sps.Where(s => Sims.Find(s.DeviceId) is { } d && SetpointWriteLog.Tracked(d))
                .Select(s => DeliveredAt.TryGetValue((s.RoundId, s.DeviceId), out var t) && t >= healedAt ? t : FirstMatchingWriteAfter(s, healedAt)).ToList();
            if (times.Count == 0 || times.Any(t => t is null) || times.Min() < healedAt) continue;
            return (times.Max()!.Value - healedAt, round.RoundId);
        }
        return (null, "no fully confirmed round after the fault ended");

        // A device refreshed with the same value over and over (an MQTT watchdog re-sending 0 kW) leaves the alignment free to
        // pin a confirmed setpoint on a copy sent before the heal; the device then has that value only from a write after it.
        double? FirstMatchingWriteAfter(JournalSetpoint s, double from) =>
            writes.Where(w => w.DeviceId == s.DeviceId && w.Accepted && w.AtSeconds >= from && Matches(w.Kw, s)).Select(w => (double?)w.AtSeconds).FirstOrDefault();
    }
}
