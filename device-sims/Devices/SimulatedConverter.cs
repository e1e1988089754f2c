using Gateway.DeviceSims.Physics;
using Gateway.Drivers.Devices;
using Gateway.Drivers.Modbus;
using Gateway.Rigs;

namespace Gateway.DeviceSims.Devices;

/// <summary>
/// A bidirectional power converter the gateway sets a power on (the V2G charger, the SMES converter): the setpoint
/// stands only while the gateway keeps the watchdog fed (a setpoint, a heartbeat or a new watchdog time), a lost
/// gateway drops it to 0 kW at once, and the energy counters meter what crossed the grid connection, the quantity
/// settlements are paid on. Subclasses add the store behind the converter.
/// </summary>
public abstract class SimulatedConverter : SimulatedDevice
{
    private readonly SetpointWatchdog _watchdog;

    /// <summary>Lays out the image with the watchdog at 60 s and no setpoint.</summary>
    protected SimulatedConverter(RigDevice definition, DeviceProfile profile, DateTimeOffset start) : base(definition, profile)
    {
        _watchdog = new SetpointWatchdog(start);
        Time = start;
        Image.Set("WatchdogSeconds", 60);
        Image.Set("Heartbeat", 0);
        Image.Set("SetpointKw", 0);
    }

    /// <inheritdoc />
    public override double PowerKw => ConverterPowerKw;

    /// <summary>The converter's power now, kW, positive = delivered to the grid.</summary>
    protected double ConverterPowerKw { get; set; }

    /// <summary>Energy drawn from the grid so far, kWh.</summary>
    protected double ImportedKwh { get; private set; }

    /// <summary>Energy delivered to the grid so far, kWh.</summary>
    protected double ExportedKwh { get; private set; }

    /// <summary>The setpoint in force at <paramref name="at"/>: the one written, or 0 kW once the watchdog ran out.</summary>
    protected double SetpointInForceKw(DateTimeOffset at)
    {
        var setpoint = Written("SetpointKw");
        if (setpoint != 0 && _watchdog.IsExpired(at, Written("WatchdogSeconds")))
        {
            Image.Set("SetpointKw", 0);
            WatchdogFallbacks++;
            return 0;
        }
        return setpoint;
    }

    /// <summary>Counts <paramref name="exchangedKw"/> held for <paramref name="seconds"/> on the grid connection's meters.</summary>
    protected void Meter(double exchangedKw, double seconds)
    {
        if (exchangedKw < 0) ImportedKwh += -exchangedKw * seconds / 3600;
        else ExportedKwh += exchangedKw * seconds / 3600;
    }

    /// <summary>A power setpoint with no gateway behind it is dropped: the converter goes to 0 kW at once.</summary>
    protected sealed override bool FallBackOnGatewayLoss() => DropToZero("SetpointKw");

    /// <summary>The watchdog time a converter accepts: 1 to 600 s; subclasses add their setpoint's limits.</summary>
    protected override ModbusExceptionCode ValidateWrite(string point, double? value) =>
        point == "WatchdogSeconds" && value is not (>= 1 and <= 600) ? ModbusExceptionCode.IllegalDataValue : ModbusExceptionCode.None;

    /// <inheritdoc />
    protected sealed override void OnPointWritten(string point, DateTimeOffset now)
    {
        if (point is "SetpointKw" or "Heartbeat" or "WatchdogSeconds") _watchdog.Refresh(now);
    }
}
