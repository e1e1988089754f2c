namespace Gateway.Drivers.Modbus;

/// <summary>What a Modbus server has seen since it started; safe to read while it runs.</summary>
internal sealed class ModbusServerCounters
{
    private long _requests;
    private long _responses;
    private long _exceptionResponses;
    private long _malformedFrames;
    private long _unansweredRequests;
    private long _connectionsAccepted;

    /// <summary>Requests that were framed correctly and decoded.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Answers sent (normal and exception).</summary>
    public long Responses => Interlocked.Read(ref _responses);

    /// <summary>Exception responses among <see cref="Responses"/>.</summary>
    public long ExceptionResponses => Interlocked.Read(ref _exceptionResponses);

    /// <summary>
    /// Garbage that never became a request: bad MBAP protocol id or length (the TCP connection
    /// is then closed), bad CRC, truncated or oversized RTU frames.
    /// </summary>
    public long MalformedFrames => Interlocked.Read(ref _malformedFrames);

    /// <summary>Requests left without an answer: broadcasts, units that are not here (RTU), faults.</summary>
    public long UnansweredRequests => Interlocked.Read(ref _unansweredRequests);

    /// <summary>TCP connections accepted (always 0 for RTU).</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionsAccepted);

    internal void CountRequest() => Interlocked.Increment(ref _requests);

    internal void CountResponse(bool isException)
    {
        Interlocked.Increment(ref _responses);
        if (isException)
        {
            Interlocked.Increment(ref _exceptionResponses);
        }
    }

    internal void CountMalformed() => Interlocked.Increment(ref _malformedFrames);

    internal void CountUnanswered() => Interlocked.Increment(ref _unansweredRequests);

    internal void CountConnection() => Interlocked.Increment(ref _connectionsAccepted);
}
