namespace Gateway.Bench.Mqtt;

/// <summary>
/// The subscriber side's bookkeeping, shared by every client: latency per message, a signal per warm-up message and
/// one when all counted messages are in. Messages arrive on one thread at a time (each client delivers in order).
/// </summary>
internal sealed class MqttBenchReceiver(int messages)
{
    private readonly double[] _latenciesMs = new double[messages];
    private readonly SemaphoreSlim _warmUps = new(0);
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _received;

    /// <summary>Messages counted so far.</summary>
    public int Received => Volatile.Read(ref _received);

    /// <summary>Record a message received at <paramref name="receivedMicroseconds"/> (wall time).</summary>
    public void OnMessage(ReadOnlySpan<byte> payload, long receivedMicroseconds)
    {
        var (sent, sequence) = MqttBenchPayload.Parse(payload);
        if (sequence == MqttBenchPayload.WarmUpSequence)
        {
            _warmUps.Release();
            return;
        }
        var index = _received;
        if (index >= _latenciesMs.Length) return;
        _latenciesMs[index] = (receivedMicroseconds - sent) / 1000.0;
        Volatile.Write(ref _received, index + 1);
        if (index + 1 == _latenciesMs.Length) _done.TrySetResult();
    }

    /// <summary>Wait for the next warm-up message.</summary>
    public async Task<bool> WaitWarmUpAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _warmUps.WaitAsync(timeout, cancellationToken);

    /// <summary>Wait until every counted message arrived; the exception names the client and how many came.</summary>
    public async Task WaitAllAsync(string client, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await _done.Task.WaitAsync(timeout, cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{client}: subscriber received {Received} of {_latenciesMs.Length} messages within {timeout.TotalSeconds:0} s");
        }
    }

    /// <summary>The latencies, in arrival order.</summary>
    public double[] LatenciesMs => _latenciesMs;
}
