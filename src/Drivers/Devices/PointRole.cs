namespace Gateway.Drivers.Devices;

/// <summary>
/// What a point means to the gateway, independent of how a device encodes it. The gateway
/// looks points up by role ("the measured power"), never by vendor register name.
/// </summary>
public enum PointRole
{
    /// <summary>Informational value the gateway does not act on (firmware version, voltages).</summary>
    Info,
    /// <summary>Active power at the device's grid connection, kW, positive = delivered to the grid.</summary>
    MeasuredPower,
    /// <summary>Battery state of charge, %.</summary>
    StateOfCharge,
    /// <summary>Whether a vehicle is plugged in (and what the charger is doing).</summary>
    PlugState,
    /// <summary>The active-power setpoint the gateway writes (kW, or % of a max-power point).</summary>
    Setpoint,
    /// <summary>The lowest power the device accepts right now, kW (negative = it may draw this much).</summary>
    MinPower,
    /// <summary>The highest power the device accepts right now, kW (positive = it may deliver this much).</summary>
    MaxPower,
    /// <summary>Validity time of the last setpoint, s: when it runs out the device falls back by itself.</summary>
    Watchdog,
    /// <summary>A counter the gateway rewrites to prove it is alive.</summary>
    Heartbeat,
    /// <summary>Energy stored in the device, kWh.</summary>
    StoredEnergy,
    /// <summary>Superconducting coil current, A.</summary>
    CoilCurrent,
    /// <summary>Lowest allowed coil current, A.</summary>
    MinCoilCurrent,
    /// <summary>Highest allowed coil current, A.</summary>
    MaxCoilCurrent,
    /// <summary>Operating state of the device.</summary>
    Status,
    /// <summary>Energy delivered to the grid since commissioning, kWh.</summary>
    EnergyExported,
    /// <summary>Energy taken from the grid since commissioning, kWh.</summary>
    EnergyImported,
    /// <summary>A switch that must be set for the setpoint to take effect (SunSpec WMaxLim_Ena).</summary>
    SetpointEnable,
    /// <summary>A scale-factor register (SunSpec *_SF): read to scale other points, not reported.</summary>
    ScaleFactor,
    /// <summary>Usable battery capacity of the plugged-in vehicle, kWh (ISO 15118 EVEnergyCapacity).</summary>
    BatteryCapacity,
    /// <summary>State of charge the driver wants at departure, % (derived from ISO 15118 EVTargetEnergyRequest).</summary>
    TargetStateOfCharge,
    /// <summary>Time left until the driver's planned departure, min (ISO 15118 DepartureTime).</summary>
    TimeToDeparture,
    /// <summary>
    /// Plane-of-array irradiance at a PV array, W/m² (SunSpec model 302 POAI): what lets the gateway tell how much a
    /// PV held below its limit could deliver, since its output then shows only the limit.
    /// </summary>
    Irradiance,
}
