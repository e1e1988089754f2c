namespace Gateway.Drivers.Devices;

/// <summary>
/// A kind of device described as data: its points and how a transport reaches them. New
/// hardware is a new profile file, not a new class.
/// </summary>
public sealed record DeviceProfile
{
    /// <summary>Profile name (the file name without extension for shipped profiles).</summary>
    public required string Name { get; init; }

    /// <summary>What the profile describes.</summary>
    public string Description { get; init; } = "";

    /// <summary>Device kind: charger, pv-inverter, meter or smes.</summary>
    public required string Kind { get; init; }

    /// <summary>File the profile was loaded from, for error messages.</summary>
    public string SourcePath { get; init; } = "";

    /// <summary>The points, in file order.</summary>
    public required IReadOnlyList<ProfilePoint> Points { get; init; }

    /// <summary>The Modbus register map, when the device speaks Modbus.</summary>
    public ModbusRegisterMap? Modbus { get; init; }

    /// <summary>The MQTT topic map, when the device speaks MQTT.</summary>
    public Mqtt.MqttTopicMap? Mqtt { get; init; }

    /// <summary>How an OCPP charging station's messages fill the points, when the device speaks OCPP.</summary>
    public Ocpp.OcppChargerMap? Ocpp { get; init; }

    /// <summary>The point called <paramref name="name"/>, or null.</summary>
    public ProfilePoint? FindPoint(string name) => Points.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));

    /// <summary>The first point with <paramref name="role"/>, or null.</summary>
    public ProfilePoint? FindRole(PointRole role) => Points.FirstOrDefault(p => p.Role == role);
}
