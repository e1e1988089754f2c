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

    /// <summary>The clock behind every timeout.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Throws when a setting is outside its allowed range; call before use.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A timeout is not positive or the concurrency is outside 1–256.</exception>
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

        ArgumentNullException.ThrowIfNull(TimeProvider);
        return this;
    }
}
