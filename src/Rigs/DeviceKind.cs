namespace Gateway.Rigs;

/// <summary>What a rig device is.</summary>
public enum DeviceKind
{
    /// <summary>Bidirectional (V2G) charger with a vehicle that comes and goes.</summary>
    Charger,
    /// <summary>PV inverter with its array.</summary>
    PvInverter,
    /// <summary>Site meter summing other devices.</summary>
    Meter,
    /// <summary>SMES power converter with its coil.</summary>
    Smes,
}
