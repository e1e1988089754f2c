namespace Gateway.Drivers.Ocpp;

/// <summary>Limits and waits of one OCPP-J connection. Network waits: real time, never the simulated plant clock.</summary>
public sealed record OcppRpcOptions
{
    /// <summary>How long a CALL waits for its CALLRESULT or CALLERROR.</summary>
    public TimeSpan CallTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest frame accepted; a bigger one closes the connection (1009, message too big).</summary>
    public int MaxFrameBytes { get; init; } = 64 * 1024;

    /// <summary>Clock of <see cref="CallTimeout"/> (tests: a fake one).</summary>
    public TimeProvider WaitTimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options; returns them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A wait or limit is not positive.</exception>
    public OcppRpcOptions Validate()
    {
        if (CallTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(CallTimeout), CallTimeout, "the call timeout must be positive");
        if (MaxFrameBytes < 1024) throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, "frames of at least 1 KiB must fit");
        return this;
    }
}
