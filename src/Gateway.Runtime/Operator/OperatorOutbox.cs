using System.Threading.Channels;

namespace Gateway.Runtime.Operator;

/// <summary>
/// The bounded queue between the worker (which must never wait) and the MQTT publisher (which waits on the broker).
/// Two lanes:
/// <list type="bullet">
/// <item>Latest-value items (device health, ledger backlog) coalesce per key: a newer value replaces the pending
/// one in place. Beyond <c>latestCapacity</c> keys the oldest pending one is dropped (drop-oldest, health only).</item>
/// <item>Ordered items (setpoints, rounds, acknowledgements, status) are never coalesced and never dropped while the
/// lane is within <c>orderedCapacity</c>. Beyond it, only an item already superseded by a newer queued item for the
/// same topic is discarded (e.g. a device's setpoint of an older round when the next round's is queued too); an item
/// that is the newest for its topic is kept even then, so the setpoint in force always reaches the broker.</item>
/// </list>
/// Ordered items go out first. Thread-safe; <see cref="Enqueue"/> never blocks beyond a short lock.
/// </summary>
internal sealed class OperatorOutbox
{
    private readonly object _gate = new();
    private readonly int _latestCapacity;
    private readonly int _orderedCapacity;
    private readonly LinkedList<OutboxItem> _ordered = new();
    private readonly Dictionary<string, int> _orderedPerKey = new(StringComparer.Ordinal);
    private readonly LinkedList<OutboxItem> _latest = new();
    private readonly Dictionary<string, LinkedListNode<OutboxItem>> _latestByKey = new(StringComparer.Ordinal);
    private readonly Channel<bool> _doorbell = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long _droppedLatest;
    private long _droppedSuperseded;
    private long _coalesced;

    public OperatorOutbox(int latestCapacity, int orderedCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(latestCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(orderedCapacity, 1);
        _latestCapacity = latestCapacity;
        _orderedCapacity = orderedCapacity;
    }

    /// <summary>Items waiting.</summary>
    public int Count
    {
        get { lock (_gate) return _ordered.Count + _latest.Count; }
    }

    /// <summary>Latest-value items dropped because the lane was full.</summary>
    public long DroppedLatest => Interlocked.Read(ref _droppedLatest);

    /// <summary>Ordered items discarded on overflow because a newer item for the same topic was queued.</summary>
    public long DroppedSuperseded => Interlocked.Read(ref _droppedSuperseded);

    /// <summary>Latest-value items replaced by a newer value before they were sent.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);

    /// <summary>Queue an item; returns at once.</summary>
    public void Enqueue(OutboxItem item)
    {
        lock (_gate)
        {
            if (item.Coalesce) EnqueueLatest(item);
            else EnqueueOrdered(item);
        }
        _doorbell.Writer.TryWrite(true);
    }

    /// <summary>Take the next item: ordered items first, then latest values in the order they first became pending.</summary>
    public bool TryDequeue(out OutboxItem item)
    {
        lock (_gate)
        {
            if (_ordered.First is { } first)
            {
                _ordered.RemoveFirst();
                Forget(first.Value.Key);
                item = first.Value;
                return true;
            }
            if (_latest.First is { } oldest)
            {
                _latest.RemoveFirst();
                _latestByKey.Remove(oldest.Value.Key);
                item = oldest.Value;
                return true;
            }
        }
        item = null!;
        return false;
    }

    /// <summary>Wait until an item may be available.</summary>
    public async ValueTask WaitAsync(CancellationToken cancellationToken = default)
    {
        await _doorbell.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        _doorbell.Reader.TryRead(out _);
    }

    private void EnqueueLatest(OutboxItem item)
    {
        if (_latestByKey.TryGetValue(item.Key, out var pending))
        {
            pending.Value = item;
            Interlocked.Increment(ref _coalesced);
            return;
        }
        if (_latest.Count >= _latestCapacity && _latest.First is { } oldest)
        {
            _latest.RemoveFirst();
            _latestByKey.Remove(oldest.Value.Key);
            Interlocked.Increment(ref _droppedLatest);
        }
        _latestByKey[item.Key] = _latest.AddLast(item);
    }

    private void EnqueueOrdered(OutboxItem item)
    {
        _ordered.AddLast(item);
        _orderedPerKey[item.Key] = _orderedPerKey.GetValueOrDefault(item.Key) + 1;
        if (_ordered.Count <= _orderedCapacity) return;
        for (var node = _ordered.First; node is not null; node = node.Next)
        {
            if (_orderedPerKey[node.Value.Key] > 1)
            {
                _ordered.Remove(node);
                Forget(node.Value.Key);
                Interlocked.Increment(ref _droppedSuperseded);
                return;
            }
        }
        // Every queued item is the newest for its topic: keep them all rather than lose a setpoint in force.
    }

    private void Forget(string key)
    {
        var count = _orderedPerKey[key] - 1;
        if (count == 0) _orderedPerKey.Remove(key);
        else _orderedPerKey[key] = count;
    }
}
