using System.Collections.Concurrent;
using System.Threading.Channels;
using Gateway.LedgerClient.Fabric.Protos;

namespace Gateway.Testing.Fabric;

/// <summary>A transaction accepted by Submit, waiting to be ordered and validated.</summary>
/// <param name="TxId">Transaction id.</param>
/// <param name="Simulation">What the chaincode read and wrote when it was endorsed.</param>
/// <param name="Endorsers">MSP ids whose peers endorsed it.</param>
internal sealed record OrderedTransaction(string TxId, Simulation Simulation, IReadOnlySet<string> Endorsers);

/// <summary>An event of a valid transaction, as ChaincodeEvents delivers it.</summary>
internal sealed record CommittedEvent(string TxId, string Name, byte[] Payload);

/// <summary>A block as the peer committed it: its number and the events of its valid transactions, in order.</summary>
internal sealed record CommittedBlock(ulong Number, IReadOnlyList<CommittedEvent> Events, int TransactionCount);

/// <summary>
/// Orders one channel's submitted transactions into blocks as a Raft orderer's block cutter does — a block is cut when
/// <c>maxPerBlock</c> transactions are pending, or <c>batchTimeout</c> after the first one arrived — and validates each in
/// block order: an endorsement set that does not satisfy the chaincode's policy is ENDORSEMENT_POLICY_FAILURE, a stale
/// read MVCC_READ_CONFLICT. One transaction at a time therefore costs a batch timeout each, as on a real network.
/// </summary>
internal sealed class Orderer(WorldState world, PeerFaults faults, IReadOnlyList<string> policy, TimeSpan batchTimeout, int maxPerBlock)
{
    private readonly Channel<OrderedTransaction> _queue = Channel.CreateUnbounded<OrderedTransaction>();
    private readonly ConcurrentDictionary<string, TaskCompletionSource<(TxValidationCode Code, ulong Block)>> _statuses = new();
    private readonly List<CommittedBlock> _blocks = [];
    private readonly ConcurrentDictionary<string, byte> _submitted = new();
    private readonly CancellationTokenSource _stop = new();
    private TaskCompletionSource _blockCut = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Task _loop = Task.CompletedTask;
    private ulong _height;

    /// <summary>Blocks cut so far; block numbers start at 1.</summary>
    public ulong BlockHeight => Interlocked.Read(ref _height);

    public IReadOnlyList<CommittedBlock> Blocks
    {
        get { lock (_blocks) return _blocks.ToList(); }
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

    /// <summary>Completes when a block after <paramref name="height"/> exists.</summary>
    public Task WaitForBlockAfterAsync(ulong height, CancellationToken cancellationToken)
    {
        var signal = Volatile.Read(ref _blockCut);
        return BlockHeight > height ? Task.CompletedTask : signal.Task.WaitAsync(cancellationToken);
    }

    private TaskCompletionSource<(TxValidationCode, ulong)> StatusOf(string txId) =>
        _statuses.GetOrAdd(txId, _ => new TaskCompletionSource<(TxValidationCode, ulong)>(TaskCreationOptions.RunContinuationsAsynchronously));

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        var batch = new List<OrderedTransaction>();
        while (await _queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            batch.Clear();
            // The batch timer starts with the first transaction of a block.
            var timeout = Task.Delay(batchTimeout, cancellationToken);
            while (true)
            {
                while (batch.Count < maxPerBlock && _queue.Reader.TryRead(out var next)) batch.Add(next);
                if (batch.Count >= maxPerBlock) break;
                var more = _queue.Reader.WaitToReadAsync(cancellationToken).AsTask();
                if (await Task.WhenAny(more, timeout).ConfigureAwait(false) == timeout) break;
                if (!await more.ConfigureAwait(false)) break;
            }
            Cut(batch);
        }
    }

    private void Cut(List<OrderedTransaction> batch)
    {
        var number = BlockHeight + 1;
        var events = new List<CommittedEvent>();
        foreach (var tx in batch)
        {
            var code = TxValidationCode.Valid;
            if (policy.Any(org => !tx.Endorsers.Contains(org)))
            {
                code = TxValidationCode.EndorsementPolicyFailure;
            }
            else if (faults.TakeReadConflict() || !world.TryApply(tx.Simulation.Reads, tx.Simulation.Writes))
            {
                code = TxValidationCode.MvccReadConflict;
            }
            else if (tx.Simulation.Event is { } e)
            {
                events.Add(new CommittedEvent(tx.TxId, e.Name, e.Payload));
            }
            StatusOf(tx.TxId).TrySetResult((code, number));
        }
        lock (_blocks) _blocks.Add(new CommittedBlock(number, events, batch.Count));
        Interlocked.Exchange(ref _height, number);
        Interlocked.Exchange(ref _blockCut, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}
