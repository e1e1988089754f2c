namespace Gateway.Testing;

/// <summary>What a <see cref="FaultProxy"/> did so far; thread-safe, read at any time.</summary>
public sealed class FaultProxyCounters
{
    private long connectionsAccepted;
    private long framesToServer;
    private long framesToClient;
    private long framesDropped;
    private long framesCut;
    private long framesCorrupted;
    private long framesReordered;
    private long framesDelayed;
    private long bytesDiscarded;
    private long minDelayTicks = long.MaxValue;
    private long maxDelayTicks;

    /// <summary>Client connections the proxy accepted.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref connectionsAccepted);

    /// <summary>Frames passed on to the server (counted as they are handed to its socket).</summary>
    public long FramesToServer => Interlocked.Read(ref framesToServer);

    /// <summary>Frames passed on to the client (counted as they are handed to its socket).</summary>
    public long FramesToClient => Interlocked.Read(ref framesToClient);

    /// <summary>Frames dropped by a drop fault.</summary>
    public long FramesDropped => Interlocked.Read(ref framesDropped);

    /// <summary>Frames damaged by a corruption fault.</summary>
    public long FramesCorrupted => Interlocked.Read(ref framesCorrupted);

    /// <summary>Frames delivered after the frame that followed them.</summary>
    public long FramesReordered => Interlocked.Read(ref framesReordered);

    /// <summary>Frames held back by a delay or jitter.</summary>
    public long FramesDelayed => Interlocked.Read(ref framesDelayed);

    /// <summary>Bytes swallowed by a half-open connection.</summary>
    public long BytesDiscarded => Interlocked.Read(ref bytesDiscarded);

    /// <summary>Shortest delay given to a delayed frame (zero before any).</summary>
    public TimeSpan MinDelay => FramesDelayed == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Interlocked.Read(ref minDelayTicks));

    /// <summary>Longest delay given to a delayed frame.</summary>
    public TimeSpan MaxDelay => TimeSpan.FromTicks(Interlocked.Read(ref maxDelayTicks));

    internal void CountConnection() => Interlocked.Increment(ref connectionsAccepted);

    internal void CountDelivered(FaultDirection direction) => Interlocked.Increment(ref direction == FaultDirection.ToServer ? ref framesToServer : ref framesToClient);

    /// <summary>Frames cut in the middle (half delivered, then the connection reset).</summary>
    public long FramesCut => Interlocked.Read(ref framesCut);

    internal void CountCut() => Interlocked.Increment(ref framesCut);

    internal void CountDropped() => Interlocked.Increment(ref framesDropped);

    internal void CountCorrupted() => Interlocked.Increment(ref framesCorrupted);

    internal void CountReordered() => Interlocked.Increment(ref framesReordered);

    internal void CountDiscarded(int bytes) => Interlocked.Add(ref bytesDiscarded, bytes);

    internal void CountDelay(TimeSpan delay)
    {
        Interlocked.Increment(ref framesDelayed);
        long ticks = delay.Ticks;
        long seen;
        while (ticks < (seen = Interlocked.Read(ref minDelayTicks)) && Interlocked.CompareExchange(ref minDelayTicks, ticks, seen) != seen)
        {
        }

        while (ticks > (seen = Interlocked.Read(ref maxDelayTicks)) && Interlocked.CompareExchange(ref maxDelayTicks, ticks, seen) != seen)
        {
        }
    }
}
