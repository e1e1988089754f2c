namespace Gateway.Drivers.Lab;

/// <summary>An INA219 used as a DC meter.</summary>
public sealed record Ina219MeterOptions
{
    /// <summary>Shunt resistance, Ω (0.1 Ω on the common breakout boards).</summary>
    public double ShuntOhms { get; init; } = 0.1;

    /// <summary>Largest current expected through the shunt, A; sets the calibration and the PGA range.</summary>
    public double MaxCurrentA { get; init; } = 3.2;

    /// <summary>
    /// +1 when current flowing IN+ → IN− is power delivered to the grid (the bench's source sits on IN+), −1 when it is
    /// power taken from it. The gateway's convention is positive = delivered to the grid; this maps the wiring onto it.
    /// </summary>
    public int ExportSign { get; init; } = 1;

    /// <summary>Bus voltage range: 16 V or 32 V.</summary>
    public int BusVoltageRangeV { get; init; } = 32;

    /// <summary>The device in plain words for messages, e.g. <c>i2c-1@0x40</c>.</summary>
    public string Name { get; init; } = "INA219";
}
