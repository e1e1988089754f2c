namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>Waits of the OCPP charger driver. Network waits: real time.</summary>
public sealed record OcppChargerDriverOptions
{
    /// <summary>How long the first read waits for a station that has connected but not yet sent meter values.</summary>
    public TimeSpan FirstValuesTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a setpoint waits for the MeterValues that read it back, after the station accepted it.</summary>
    public TimeSpan ReadBackTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Clock of the waits (tests: a fake one).</summary>
    public TimeProvider WaitTimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options; returns them.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A wait is not positive.</exception>
    public OcppChargerDriverOptions Validate()
    {
        if (FirstValuesTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(FirstValuesTimeout), FirstValuesTimeout, "must be positive");
        if (ReadBackTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(ReadBackTimeout), ReadBackTimeout, "must be positive");
        return this;
    }
}
