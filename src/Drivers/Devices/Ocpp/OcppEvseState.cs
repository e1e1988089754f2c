namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// What one EVSE of a station last said, in the gateway's units and sign (positive = delivered to the grid). Written by the
/// station's message handler, read by the driver; the station's lock guards it.
/// </summary>
public sealed class OcppEvseState
{
    /// <summary>The connector status of the last StatusNotification (Available, Occupied, Reserved, Unavailable, Faulted).</summary>
    public string? ConnectorStatus { get; internal set; }

    /// <summary>The transaction in progress, or null.</summary>
    public string? TransactionId { get; internal set; }

    /// <summary>The transaction's chargingState (Charging, EVConnected, SuspendedEV, SuspendedEVSE, Idle), or null.</summary>
    public string? ChargingState { get; internal set; }

    /// <summary>Measured power, kW, positive = delivered to the grid.</summary>
    public OcppSample? PowerKw { get; internal set; }

    /// <summary>Energy.Active.Import.Register, kWh.</summary>
    public OcppSample? EnergyImportedKwh { get; internal set; }

    /// <summary>Energy.Active.Export.Register, kWh.</summary>
    public OcppSample? EnergyExportedKwh { get; internal set; }

    /// <summary>The vehicle's state of charge, %.</summary>
    public OcppSample? SocPercent { get; internal set; }

    /// <summary>The setpoint in force as the station reports it (2.1 Power.Active.Setpoint, 2.0.1 Power.Offered), kW in the gateway's sign.</summary>
    public OcppSample? SetpointKw { get; internal set; }

    /// <summary>What the vehicle said it needs (NotifyEVChargingNeeds).</summary>
    public OcppVehicleNeeds Vehicle { get; internal set; } = OcppVehicleNeeds.None;

    /// <summary>Whether a vehicle is plugged in: a transaction runs or the connector is Occupied.</summary>
    public bool VehiclePresent => TransactionId is not null || ConnectorStatus == "Occupied";

    internal OcppEvseState Copy() => (OcppEvseState)MemberwiseClone();

    internal void VehicleLeft()
    {
        TransactionId = null;
        ChargingState = null;
        SocPercent = null;
        Vehicle = OcppVehicleNeeds.None;
    }
}
