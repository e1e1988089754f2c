namespace Gateway.Testing;

/// <summary>What a <see cref="FaultProxy"/> did so far; thread-safe, read at any time.</summary>
public sealed class FaultProxyCounters
{
    private long _connectionsAccepted;
    private long _framesToServer;
    private long _framesToClient;
    private long _framesDropped;
    private long _framesCut;
    private long _framesCorrupted;
    private long _framesReordered;
    private long _framesDelayed;
    private long _bytesDiscarded;
    private long _minDelayTicks = long.MaxValue;
    private long _maxDelayTicks;

    /// <summary>Client connections the proxy accepted.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    /// <summary>Frames passed on to the server (counted as they are handed to its socket).</summary>
    public long FramesToServer => Interlocked.Read(ref _framesToServer);

    /// <summary>Frames passed on to the client (counted as they are handed to its socket).</summary>
    public long FramesToClient => Interlocked.Read(ref _framesToClient);

    /// <summary>Frames dropped by a drop fault.</summary>
    public long FramesDropped => Interlocked.Read(ref _framesDropped);

    /// <summary>Frames damaged by a corruption fault.</summary>
    public long FramesCorrupted => Interlocked.Read(ref _framesCorrupted);

    /// <summary>Frames delivered after the frame that followed them.</summary>
    public long FramesReordered => Interlocked.Read(ref _framesReordered);

    /// <summary>Frames held back by a delay or jitter.</summary>
    public long FramesDelayed => Interlocked.Read(ref _framesDelayed);

    /// <summary>Bytes swallowed by a half-open connection.</summary>
    public long BytesDiscarded => Interlocked.Read(ref _bytesDiscarded);

    /// <summary>Shortest delay given to a delayed frame (zero before any).</summary>
    public TimeSpan MinDelay => FramesDelayed == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref _minDelayTicks));

    /// <summary>Longest delay given to a delayed frame.</summary>
    public TimeSpan MaxDelay => TimeSpan.FromTicks(Interlocked.Read(ref _maxDelayTicks));

    internal void CountConnection() => Interlocked.Increment(ref _connectionsAccepted);

    internal void CountDelivered(FaultDirection direction) => Interlocked.Increment(ref direction == FaultDirection.ToServer ? ref _framesToServer : ref _framesToClient);

    /// <summary>Frames cut in the middle (half delivered, then the connection reset).</summary>
    public long FramesCut => Interlocked.Read(ref _framesCut);

    internal void CountCut() => Interlocked.Increment(ref _framesCut);

    internal void CountDropped() => Interlocked.Increment(ref _framesDropped);

    internal void CountCorrupted() => Interlocked.Increment(ref _framesCorrupted);

    internal void CountReordered() => Interlocked.Increment(ref _framesReordered);

    internal void CountDiscarded(int bytes) => Interlocked.Add(ref _bytesDiscarded, bytes);

    internal void CountDelay(TimeSpan delay)
    {
        Interlocked.Increment(ref _framesDelayed);
        long ticks = delay.Ticks;
        long seen;
        while (ticks < (seen = Interlocked.Read(ref _minDelayTicks)) && Interlocked.CompareExchange(ref _minDelayTicks, ticks, seen) != seen)
        {
        }

        while (ticks > (seen = Interlocked.Read(ref _maxDelayTicks)) && Interlocked.CompareExchange(ref _maxDelayTicks, ticks, seen) != seen)
        {
        }
    }
}
