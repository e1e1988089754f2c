namespace Gateway.Drivers.Modbus;

/// <summary>
/// Transport settings of a Modbus client. Retries and circuit breaking are not here on
/// purpose: they belong to the caller's resilience pipeline, composed around the client.
/// </summary>
public sealed class ModbusClientOptions
{
    /// <summary>How long one request waits for its complete answer. Default 1 s.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a TCP connect may take before the peer counts as unreachable. Default 2 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// TCP only: how many requests may be in flight on the connection at once (matched by
    /// transaction id). Default 1, because many devices and TCP-to-RTU gateways cannot pipeline.
    /// </summary>
    public int MaxConcurrentRequests { get; init; } = 1;

    /// <summary>
    /// TCP only: after this many requests in a row timed out on a connection with not one byte arriving
    /// since the first of them was sent, the connection counts as dead and the next request opens a new
    /// one. A peer that lost power or a path that was cut leaves a half-open connection that never fails
    /// by itself; a late or stray answer resets the count. Default 2 (1–1000): a single lost request
    /// keeps the connection, as some TCP-to-RTU gateways allow only one.
    /// </summary>
    public int ReconnectAfterSilentTimeouts { get; init; } = 2;

    /// <summary>The clock behind every timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws when a setting is outside its allowed range; call before use.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive, the concurrency is outside 1–256 or the silent-timeout count outside 1–1000.</exception>
    public ModbusClientOptions Validate()
    {
        if (RequestTimeout <= TimeSpan.Zero || RequestTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(RequestTimeout), RequestTimeout, "RequestTimeout must be between 0 and 10 minutes (exclusive of 0).");
        }

        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > TimeSpan.FromMinutes(10))
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "ConnectTimeout must be between 0 and 10 minutes (exclusive of 0).");
        }

        if (MaxConcurrentRequests < 1 || MaxConcurrentRequests > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), MaxConcurrentRequests, "MaxConcurrentRequests must be 1–256.");
        }

        if (ReconnectAfterSilentTimeouts < 1 || ReconnectAfterSilentTimeouts > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(ReconnectAfterSilentTimeouts), ReconnectAfterSilentTimeouts, "ReconnectAfterSilentTimeouts must be 1–1000.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
