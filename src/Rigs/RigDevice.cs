namespace Gateway.Rigs;

/// <summary>One device of a rig: how the gateway reaches it, and on a simulated rig what the simulator makes it do.</summary>
public sealed record RigDevice
{
    /// <summary>Device id, unique in the rig.</summary>
    public required string Id { get; init; }
    /// <summary>What the device is.</summary>
    public required DeviceKind DeviceKind { get; init; }
    /// <summary>Market participant the device belongs to (the device id unless the rig names one).</summary>
    public required string ParticipantId { get; init; }
    /// <summary>Feeder node the device is connected at ("" on a rig read for the simulators that names none).</summary>
    public required string NodeId { get; init; }
    /// <summary>modbus-tcp, modbus-rtu, mqtt, ocpp or i2c (an INA219 meter).</summary>
    public required string Protocol { get; init; }
    /// <summary>host:port (TCP), a tty path with settings (RTU), mqtt(s)://HOST:PORT (MQTT), the station URL (OCPP) or i2c-BUS@ADDRESS (I²C).</summary>
    public required string Endpoint { get; init; }
    /// <summary>Modbus unit id.</summary>
    public byte UnitId { get; init; } = 1;
    /// <summary>Profile name or path (a path resolved against the rig's folder).</summary>
    public required string Profile { get; init; }
    /// <summary>How often the gateway reads the device.</summary>
    public TimeSpan PollPeriod { get; init; } = TimeSpan.FromSeconds(5);
    /// <summary>The gateway only reads the device: its driver refuses every write (a device being commissioned, or watched only).</summary>
    public bool ReadOnly { get; init; }
    /// <summary>The simulated vehicle (kind charger with a <c>sim:</c> block).</summary>
    public EvScenario? Ev { get; init; }
    /// <summary>The simulated PV array (kind pv-inverter with a <c>sim:</c> block).</summary>
    public PvScenario? Pv { get; init; }
    /// <summary>The simulated coil and converter (kind smes with a <c>sim:</c> block).</summary>
    public SmesScenario? Smes { get; init; }
    /// <summary>What the simulated meter sums (kind meter with a <c>sim:</c> block).</summary>
    public MeterScenario? Meter { get; init; }

    /// <summary>Each kind as a rig file (and a profile) writes it, at its <see cref="Rigs.DeviceKind"/>'s value: the drivers' one list.</summary>
    internal static IReadOnlyList<string> KindNames => Gateway.Drivers.Devices.DeviceKindNames.All;

    /// <summary>The kind as the rig file writes it: charger, pv-inverter, meter or smes.</summary>
    public string Kind => KindNames[(int)DeviceKind];

    /// <summary>The INA219 settings of an <c>i2c</c> device; null for every other protocol.</summary>
    internal RigIna219? Ina219 { get; init; }

    /// <summary>The security of the gateway's OCPP endpoint (the rig's <c>ocpp:</c> section) for an <c>ocpp</c> device; null for every other protocol.</summary>
    internal OcppRigSection? Ocpp { get; init; }

    /// <summary>The kind written in a rig file (charger, pv-inverter, meter, smes), or null.</summary>
    internal static DeviceKind? ParseKind(string text)
    {
        for (var i = 0; i < KindNames.Count; i++)
            if (KindNames[i] == text) return (DeviceKind)i;
        return null;
    }
}
