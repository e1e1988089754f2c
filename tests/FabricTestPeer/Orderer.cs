using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.LedgerClient.Fabric.Protos;

namespace Gateway.Testing.Fabric;

/// <summary>A transaction accepted by Submit, waiting to be ordered and validated.</summary>
internal sealed record OrderedTransaction(string TxId, Simulation Simulation);

/// <summary>
/// Orders submitted transactions into blocks (batch timeout / max batch, like a Raft orderer) and validates
/// each against the world state in block order: stale reads become MVCC_READ_CONFLICT.
/// </summary>
internal sealed class Orderer(WorldState world, PeerFaults faults, TimeSpan batchTimeout, int maxPerBlock)
{
    private readonly Channel<OrderedTransaction> _queue = Channel.CreateUnbounded<OrderedTransaction>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(TxValidationCode Code, ulong Block)>> _statuses = new();
    private readonly List<(string Name, string Payload, ulong Block)> _events = [];
    private readonly ConcurrentDictionary<string, byte> _submitted = new();
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private ulong _height;

    public ulong BlockHeight => Interlocked.Read(ref _height);

    public IReadOnlyList<(string Name, string Payload, ulong Block)> CommittedEvents
    {
        get { lock (_events) return _events.ToList(); }
    }

    public void Start() => _loop = RunAsync(_stop.Token);

    public async Task StopAsync()
    {
        _stop.Cancel();
        _queue.Writer.TryComplete();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping mid-batch is fine for a test peer.
        }
    }

    /// <summary>False when the transaction id was already submitted.</summary>
    public bool Enqueue(OrderedTransaction transaction) =>
        _submitted.TryAdd(transaction.TxId, 0) && _queue.Writer.TryWrite(transaction);

    /// <summary>Completes when the transaction is in a block (waits for transaction ids not yet submitted, as Fabric does).</summary>
    public Task<(TxValidationCode Code, ulong Block)> WaitForStatusAsync(string txId, CancellationToken cancellationToken) =>
        StatusOf(txId).Task.WaitAsync(cancellationToken);

    private TaskCompletionSource<(TxValidationCode, ulong)> StatusOf(string txId) =>
        _statuses.GetOrAdd(txId, _ => new TaskCompletionSource<(TxValidationCode, ulong)>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<OrderedTransaction>();
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(batchTimeout, cancellationToken).ConfigureAwait(false);
            batch.Clear();
            while (batch.Count < maxPerBlock && _queue.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }
            var block = Interlocked.Increment(ref _height);
            foreach (var tx in batch)
            {
                var code = TxValidationCode.Valid;
                if (faults.TakeReadConflict() || !world.TryApply(tx.Simulation.Reads, tx.Simulation.Writes))
                {
                    code = TxValidationCode.MvccReadConflict;
                }
                else if (tx.Simulation.Event is { } e)
                {
                    lock (_events) _events.Add((e.Name, System.Text.Encoding.UTF8.GetString(e.Payload), block));
                }
                StatusOf(tx.TxId).TrySetResult((code, block));
            }
        }
    }
}
