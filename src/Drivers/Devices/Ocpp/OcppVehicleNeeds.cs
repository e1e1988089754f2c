namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// What the vehicle on an EVSE said it needs (NotifyEVChargingNeeds), in the gateway's units; <see cref="None"/> before it spoke
/// and once it left.
/// </summary>
/// <param name="MaxChargeKw">The vehicle's maximum charging power, kW, positive.</param>
/// <param name="MaxDischargeKw">Its maximum discharging power (2.1 v2xChargingParameters), kW, positive; null when it offers none.</param>
/// <param name="CapacityKwh">Its battery capacity, kWh.</param>
/// <param name="TargetSocPercent">The SoC the driver wants, %.</param>
/// <param name="Departure">The departure the driver announced (wall time, as the station sent it).</param>
public sealed record OcppVehicleNeeds(
    double? MaxChargeKw = null, double? MaxDischargeKw = null, double? CapacityKwh = null, double? TargetSocPercent = null, DateTimeOffset? Departure = null)
{
    /// <summary>Nothing said (no vehicle, or it has not spoken yet).</summary>
    public static OcppVehicleNeeds None { get; } = new();
}
