using System.Collections.Immutable;

namespace Gateway.Host.Status;

/// <summary>
/// The one place the worker reports to and operators read from (dashboard, MQTT publisher,
/// console progress). Writers replace whole immutable records; readers take a snapshot.
/// <see cref="Changed"/> tells listeners what changed so a publisher sends only that.
/// </summary>
public sealed class GatewayStatusBoard
{
    private const int RoundsKept = 96;
    private readonly object _gate = new();
    private readonly TimeProvider _clock;
    private ImmutableSortedDictionary<string, DeviceHealth> _devices = ImmutableSortedDictionary<string, DeviceHealth>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableSortedDictionary<string, DispatchedSetpoint> _setpoints = ImmutableSortedDictionary<string, DispatchedSetpoint>.Empty.WithComparers(StringComparer.Ordinal);
    private ImmutableList<RoundSummary> _rounds = ImmutableList<RoundSummary>.Empty;
    private ImmutableSortedDictionary<string, string> _acks = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
    private LedgerBacklog _ledger = LedgerBacklog.Empty;

    /// <summary>Create a board for <paramref name="siteId"/>.</summary>
    public GatewayStatusBoard(string siteId, TimeProvider clock)
    {
        SiteId = siteId;
        _clock = clock;
    }

    /// <summary>Site id from the rig.</summary>
    public string SiteId { get; }

    /// <summary>Raised after every change, with the changed record (DeviceHealth, DispatchedSetpoint, RoundSummary, LedgerBacklog or an OperatorAck).</summary>
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
            if (_setpoints.Values.Any(s => s.RoundId != setpoint.RoundId))
                _setpoints = _setpoints.Clear();
            _setpoints = _setpoints.SetItem(setpoint.DeviceId, setpoint);
        }
        Changed?.Invoke(setpoint);
    }

    /// <summary>Add or replace a round's summary.</summary>
    public void Report(RoundSummary round)
    {
        lock (_gate)
        {
            var index = _rounds.FindIndex(r => r.RoundId == round.RoundId);
            _rounds = index >= 0 ? _rounds.SetItem(index, round) : _rounds.Add(round);
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

    /// <summary>Record that an operator acknowledged a round's dispatch.</summary>
    public void Acknowledge(OperatorAck ack)
    {
        lock (_gate) _acks = _acks.SetItem(ack.RoundId, ack.OperatorId);
        Changed?.Invoke(ack);
    }

    /// <summary>True when an operator has acknowledged <paramref name="roundId"/>.</summary>
    public bool IsAcknowledged(string roundId)
    {
        lock (_gate) return _acks.ContainsKey(roundId);
    }

    /// <summary>Everything, at once.</summary>
    public GatewayStatusSnapshot Snapshot()
    {
        lock (_gate)
        {
            return new GatewayStatusSnapshot(SiteId, _clock.GetUtcNow(), _devices.Values.ToList(), _setpoints.Values.ToList(), _rounds, _ledger, _acks);
        }
    }
}
