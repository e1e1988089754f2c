namespace Gateway.Drivers.Modbus;

/// <summary>What a Modbus server has seen since it started; safe to read while it runs.</summary>
public sealed class ModbusServerCounters
{
    private long requests;
    private long responses;
    private long exceptionResponses;
    private long malformedFrames;
    private long unansweredRequests;
    private long connectionsAccepted;

    /// <summary>Requests that were framed correctly and decoded.</summary>
    public long Requests => Interlocked.Read(ref requests);

    /// <summary>Answers sent (normal and exception).</summary>
    public long Responses => Interlocked.Read(ref responses);

    /// <summary>Exception responses among <see cref="Responses"/>.</summary>
    public long ExceptionResponses => Interlocked.Read(ref exceptionResponses);

    /// <summary>
    /// Garbage that never became a request: bad MBAP protocol id or length (the TCP connection
    /// is then closed), bad CRC, truncated or oversized RTU frames.
    /// </summary>
    public long MalformedFrames => Interlocked.Read(ref malformedFrames);

    /// <summary>Requests left without an answer: broadcasts, units that are not here (RTU), faults.</summary>
    public long UnansweredRequests => Interlocked.Read(ref unansweredRequests);

    /// <summary>TCP connections accepted (always 0 for RTU).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref connectionsAccepted);

    internal void CountRequest() => Interlocked.Increment(ref requests);

    internal void CountResponse(bool isException)
    {
        Interlocked.Increment(ref responses);
        if (isException)
        {
            Interlocked.Increment(ref exceptionResponses);
        }
    }

    internal void CountMalformed() => Interlocked.Increment(ref malformedFrames);

    internal void CountUnanswered() => Interlocked.Increment(ref unansweredRequests);

    internal void CountConnection() => Interlocked.Increment(ref connectionsAccepted);
}
