namespace Gateway.Rigs;

/// <summary>One device of a rig: how the gateway reaches it, and what the simulator makes it do.</summary>
public sealed record RigDevice
{
    /// <summary>Device id, unique in the rig.</summary>
    public required string Id { get; init; }
    /// <summary>What the device is.</summary>
    public required DeviceKind Kind { get; init; }
    /// <summary>Market participant the device belongs to (may equal <see cref="Id"/>).</summary>
    public required string Participant { get; init; }
    /// <summary>Feeder node the device is connected at.</summary>
    public required string Node { get; init; }
    /// <summary>modbus-tcp, modbus-rtu or mqtt.</summary>
    public required string Protocol { get; init; }
    /// <summary>host:port for TCP, a tty path (with optional ?baud=&amp;parity=) for RTU.</summary>
    public required string Endpoint { get; init; }
    /// <summary>Modbus unit id.</summary>
    public byte UnitId { get; init; } = 1;
    /// <summary>Profile name or path.</summary>
    public required string Profile { get; init; }
    /// <summary>How often the gateway polls the device, in simulated seconds.</summary>
    public double PollSeconds { get; init; } = 5;
    /// <summary>Physics and scenario, by kind: one of these is set.</summary>
    public EvScenario? Ev { get; init; }
    /// <summary>PV array parameters (kind pv-inverter).</summary>
    public PvScenario? Pv { get; init; }
    /// <summary>SMES coil and converter parameters (kind smes).</summary>
    public SmesScenario? Smes { get; init; }
    /// <summary>What the meter sums (kind meter).</summary>
    public MeterScenario? Meter { get; init; }
}
