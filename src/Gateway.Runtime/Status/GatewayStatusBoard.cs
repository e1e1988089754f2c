using System.Collections.Immutable;

namespace Gateway.Runtime.Status;

/// <summary>
/// The one place the worker reports to and operators read from (dashboard, MQTT publisher,
/// console progress). Writers replace whole immutable records; readers take a snapshot.
/// <see cref="Changed"/> tells listeners what changed so a publisher sends only that.
/// </summary>
internal sealed class GatewayStatusBoard
{
    private const int RoundsKept = 96;
    private readonly object _gate = new();
    // Serialises acknowledgements so "first one counts" and the journal agree.
    private readonly object _ackOrder = new();
    private readonly TimeProvider _clock;
    private readonly TimeProvider _wallClock;
    private ImmutableSortedDictionary<string, DeviceHealth> _devices = ImmutableSortedDictionary<string, DeviceHealth>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableSortedDictionary<string, DispatchedSetpoint> _setpoints = ImmutableSortedDictionary<string, DispatchedSetpoint>.Empty.WithComparers(StringComparer.Ordinal);
    // The round every entry of _setpoints belongs to (null while there are none).
    private string? _setpointsRound;
    private ImmutableList<RoundSummary> _rounds = ImmutableList<RoundSummary>.Empty;
    private ImmutableSortedDictionary<string, OperatorAck> _acks = ImmutableSortedDictionary<string, OperatorAck>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableSortedDictionary<string, BrokerLink> _brokers = ImmutableSortedDictionary<string, BrokerLink>.Empty.WithComparers(StringComparer.Ordinal);
    private readonly Dictionary<string, TaskCompletionSource> _ackWaiters = new(StringComparer.Ordinal);
    private LedgerBacklog _ledger = LedgerBacklog.Empty;
    private ImmutableList<LedgerCommit> _commits = ImmutableList<LedgerCommit>.Empty;
    private long _commitsSeen;
    private InterlockStatus? _interlock;

    /// <summary>Create a board for <paramref name="siteId"/>; <paramref name="clock"/> is the plant's, <paramref name="wallClock"/> wall time (default: the system's).</summary>
    public GatewayStatusBoard(string siteId, TimeProvider clock, TimeProvider? wallClock = null)
    {
        SiteId = siteId;
        _clock = clock;
        _wallClock = wallClock ?? TimeProvider.System;
    }

    /// <summary>Site id from the rig.</summary>
    public string SiteId { get; }

    /// <summary>The feeder drawn by the dashboard's feeder view (null: not known).</summary>
    public FeederTopology? Feeder { get; set; }

    /// <summary>Simulated seconds per real second (1 on a real site), shown beside plant times.</summary>
    public double TimeScale { get; set; } = 1;

    /// <summary>
    /// Called with every acknowledgement (and whether it is the one that counts for its round) before the board records
    /// it, to journal it; a throw keeps it from counting. Null: acknowledgements are not journaled (tests).
    /// </summary>
    public Action<OperatorAck, bool>? AckRecorder { get; set; }

    /// <summary>Raised after every change, with the changed record (DeviceHealth, DispatchedSetpoint, RoundSummary, LedgerBacklog, LedgerCommit, BrokerLink, InterlockStatus or an OperatorAck).</summary>
    public event Action<object>? Changed;

    /// <summary>Replace what is known of a device.</summary>
    public void Report(DeviceHealth device)
    {
        lock (_gate) _devices = _devices.SetItem(device.DeviceId, device);
        Changed?.Invoke(device);
    }

    /// <summary>Replace a setpoint of the current round (a new round's first setpoint clears the previous round's).</summary>
    public void Report(DispatchedSetpoint setpoint)
    {
        lock (_gate)
        {
            // Compared with the round the board holds, not entry by entry: a dispatch of N setpoints reports 2N times.
            if (_setpointsRound is not null && _setpointsRound != setpoint.RoundId)
                _setpoints = _setpoints.Clear();
            _setpointsRound = setpoint.RoundId;
            _setpoints = _setpoints.SetItem(setpoint.DeviceId, setpoint);
        }
        Changed?.Invoke(setpoint);
    }

    /// <summary>Add or replace a round's summary (rows stay in interval order).</summary>
    public void Report(RoundSummary round)
    {
        lock (_gate)
        {
            var index = _rounds.FindIndex(r => r.RoundId == round.RoundId);
            if (index >= 0) _rounds = _rounds.SetItem(index, round);
            else
            {
                var at = _rounds.Count;
                while (at > 0 && _rounds[at - 1].IntervalStartUtc > round.IntervalStartUtc) at--;
                _rounds = _rounds.Insert(at, round);
            }
            if (_rounds.Count > RoundsKept) _rounds = _rounds.RemoveRange(0, _rounds.Count - RoundsKept);
        }
        Changed?.Invoke(round);
    }

    /// <summary>Replace the ledger backlog.</summary>
    public void Report(LedgerBacklog backlog)
    {
        lock (_gate) _ledger = backlog;
        Changed?.Invoke(backlog);
    }

    /// <summary>Settlements the ledger reported committed that the board keeps (newest first).</summary>
    public const int CommitsKept = 12;

    /// <summary>Add a settlement the ledger reported committed (the dashboard's live list keeps the newest <see cref="CommitsKept"/>).</summary>
    public void Report(LedgerCommit commit)
    {
        lock (_gate)
        {
            _commits = _commits.Insert(0, commit);
            if (_commits.Count > CommitsKept) _commits = _commits.RemoveRange(CommitsKept, _commits.Count - CommitsKept);
            _commitsSeen++;
        }
        Changed?.Invoke(commit);
    }

    /// <summary>Replace the safety interlock's state (benches with an e-stop).</summary>
    public void Report(InterlockStatus interlock)
    {
        lock (_gate) _interlock = interlock;
        Changed?.Invoke(interlock);
    }

    /// <summary>Replace what is known of a broker connection.</summary>
    public void Report(BrokerLink broker)
    {
        lock (_gate) _brokers = _brokers.SetItem(broker.Name + " " + broker.Address, broker);
        Changed?.Invoke(broker);
    }

    /// <summary>
    /// Record that an operator acknowledged a round's dispatch. The first acknowledgement of a round is the one that
    /// counts; a later one is journaled (audit) but does not replace who acknowledged.
    /// </summary>
    /// <returns>True when this acknowledgement is the one recorded for the round; false when the round was already acknowledged or the journal refused it.</returns>
    public bool Acknowledge(OperatorAck ack)
    {
        if (ack.AtUtc == default) ack = ack with { AtUtc = _wallClock.GetUtcNow() };
        TaskCompletionSource? waiter;
        lock (_ackOrder)
        {
            bool first;
            lock (_gate) first = !_acks.ContainsKey(ack.RoundId);
            AckRecorder?.Invoke(ack, first);
            if (!first) return false;
            lock (_gate)
            {
                _acks = _acks.SetItem(ack.RoundId, ack);
                _ackWaiters.Remove(ack.RoundId, out waiter);
            }
        }
        waiter?.TrySetResult();
        Changed?.Invoke(ack);
        return true;
    }

    /// <summary>
    /// The setpoint of the current round for <paramref name="deviceId"/>, or null: what a device's health report carries,
    /// without the whole <see cref="Snapshot"/> (which also computes the feeder's flows) on every poll.
    /// </summary>
    public DispatchedSetpoint? CurrentSetpoint(string deviceId)
    {
        lock (_gate) return _setpoints.GetValueOrDefault(deviceId);
    }

    /// <summary>True when an operator has acknowledged <paramref name="roundId"/>.</summary>
    public bool IsAcknowledged(string roundId)
    {
        lock (_gate) return _acks.ContainsKey(roundId);
    }

    /// <summary>Completes when <paramref name="roundId"/> is acknowledged (at once if it already is).</summary>
    public Task WhenAcknowledged(string roundId)
    {
        lock (_gate)
        {
            if (_acks.ContainsKey(roundId)) return Task.CompletedTask;
            if (!_ackWaiters.TryGetValue(roundId, out var waiter))
            {
                waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _ackWaiters[roundId] = waiter;
            }
            return waiter.Task;
        }
    }

    /// <summary>Everything, at once.</summary>
    public GatewayStatusSnapshot Snapshot()
    {
        lock (_gate)
        {
            var devices = _devices.Values.ToList();
            var setpoints = _setpoints.Values.ToList();
            FeederView? feeder = null;
            if (Feeder is { } topology)
            {
                var decided = _rounds.LastOrDefault(r => r.State != RoundPhase.Skipped);
                feeder = FeederFlows.Compute(topology, devices, setpoints, decided);
            }
            return new GatewayStatusSnapshot(SiteId, _clock.GetUtcNow(), devices, setpoints, _rounds, _ledger,
                _acks.ToImmutableSortedDictionary(a => a.Key, a => a.Value.OperatorId, StringComparer.Ordinal))
            {
                WallUtc = _wallClock.GetUtcNow(),
                TimeScale = TimeScale,
                Acknowledgements = _acks.Values.ToList(),
                Brokers = _brokers.Values.ToList(),
                Feeder = feeder,
                LedgerCommits = _commits,
                LedgerCommitsSeen = _commitsSeen,
                Interlock = _interlock,
            };
        }
    }
}
