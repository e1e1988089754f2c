namespace Gateway.Drivers.Devices.Mqtt;

/// <summary>
/// Where one point lives in an MQTT device's telemetry: a JSON field of one telemetry topic,
/// and how the device's number becomes an engineering value.
/// </summary>
/// <remarks>
/// Engineering value = device value × 10^<see cref="ScaleExponent"/>, negated when <see cref="Negate"/>
/// is set — the same rule as a Modbus register's fixed scale. A setpoint point's location also
/// says in which units and sign the command carries the value.
/// </remarks>
public sealed record MqttPointLocation
{
    /// <summary>The telemetry topic (relative to the profile's topic prefix) carrying the field.</summary>
    public required string Topic { get; init; }

    /// <summary>The field inside the JSON object: a dotted path such as <c>soc</c> or <c>power.w</c>.</summary>
    public required MqttJsonPath Field { get; init; }

    /// <summary>Fixed power-of-ten scale: value = device value × 10^scale (W → kW is -3).</summary>
    public int ScaleExponent { get; init; }

    /// <summary>Flip the sign, for devices whose sign convention is the opposite of the gateway's.</summary>
    public bool Negate { get; init; }

    /// <summary>
    /// A value the device sends for "not available" besides JSON <c>null</c> (e.g. <c>65535</c> or <c>"n/a"</c>),
    /// compared with the field's JSON text; null when the device uses <c>null</c> only.
    /// </summary>
    public string? AbsentMarker { get; init; }

    /// <summary>The engineering value of a device value.</summary>
    public double ToEngineering(double deviceValue)
    {
        var value = deviceValue * Math.Pow(10, ScaleExponent);
        // 0 stays 0: a negated zero would print as "-0".
        return Negate && value != 0 ? -value : value;
    }

    /// <summary>The device value of an engineering value (the inverse of <see cref="ToEngineering"/>).</summary>
    public double ToDevice(double engineeringValue)
    {
        var value = engineeringValue / Math.Pow(10, ScaleExponent);
        return Negate && value != 0 ? -value : value;
    }

    /// <summary>
    /// The device's resolution in its own units (a setpoint command is rounded to it, and a read-back
    /// within half of it confirms): 1 for a device that works in whole W, 10 for one in 10 W steps.
    /// </summary>
    public double Step { get; init; } = 0.001;

    /// <summary><see cref="Step"/> in engineering units (e.g. 10 W = 0.01 kW).</summary>
    public double Resolution => Step * Math.Pow(10, ScaleExponent);

    /// <summary><paramref name="deviceValue"/> rounded to a whole number of <see cref="Step"/>s (and never "-0").</summary>
    internal double RoundToStep(double deviceValue)
    {
        var rounded = Math.Round(Math.Round(deviceValue / Step, MidpointRounding.AwayFromZero) * Step, 9);
        return rounded == 0 ? 0 : rounded;
    }
}
