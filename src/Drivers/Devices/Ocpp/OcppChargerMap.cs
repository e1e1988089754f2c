namespace Gateway.Drivers.Devices.Ocpp;

/// <summary>
/// The <c>ocpp:</c> part of a profile: a charging station reached over OCPP. OCPP messages are standard, so points need no
/// location: each is filled by its role (measured power from <c>Power.Active.Import/Export</c>, energy from the
/// <c>Energy.Active.*.Register</c> measurands, SoC, plug state from StatusNotification and the transaction, EV needs from
/// NotifyEVChargingNeeds, the setpoint in force from <c>Power.Active.Setpoint</c> / <c>Power.Offered</c>).
/// </summary>
/// <param name="Evse">The EVSE the device is (stations with several EVSEs are several rig devices).</param>
/// <param name="V2x">Whether the pile may discharge when the station speaks OCPP 2.1 and the vehicle offers it.</param>
/// <param name="RatingKw">The pile's rated power, the bound of every setpoint when the vehicle names none.</param>
public sealed record OcppChargerMap(int Evse, bool V2x, double RatingKw)
{
    /// <summary>The roles an OCPP charger can fill.</summary>
    public static IReadOnlySet<PointRole> Roles { get; } = new HashSet<PointRole>
    {
        PointRole.MeasuredPower, PointRole.Setpoint, PointRole.MinPower, PointRole.MaxPower, PointRole.StateOfCharge, PointRole.PlugState,
        PointRole.Status, PointRole.EnergyImported, PointRole.EnergyExported, PointRole.BatteryCapacity, PointRole.TargetStateOfCharge,
        PointRole.TimeToDeparture, PointRole.Watchdog,
    };

    internal static OcppChargerMap? Validate(ProfileFileOcpp part, string? kind, bool otherTransport, Action<string?, string> problem)
    {
        var ok = true;
        if (otherTransport) { problem(null, "'ocpp' cannot be combined with 'modbus' or 'mqtt': a profile has one transport"); ok = false; }
        if (kind is not null && kind != "charger") { problem(null, $"'ocpp' is for chargers; this profile's kind is '{kind}'"); ok = false; }
        var evse = part.Evse ?? 1;
        if (evse < 1) { problem(null, $"ocpp: 'evse' is {evse}; EVSE ids start at 1"); ok = false; }
        var rating = part.RatingKw ?? 0;
        if (part.RatingKw is null || !double.IsFinite(rating) || rating <= 0 || rating > 1000)
        {
            problem(null, "ocpp: 'ratingKw' (the pile's rated power, 0–1000 kW) is missing or out of range");
            ok = false;
        }
        return ok ? new OcppChargerMap(evse, part.V2x ?? false, rating) : null;
    }

    internal static void ValidatePoints(IEnumerable<ProfilePoint> points, Action<string?, string> problem)
    {
        foreach (var point in points)
        {
            if (!Roles.Contains(point.Role))
                problem(point.Name, $"role '{point.Role}' has no OCPP source; an OCPP charger fills {string.Join(", ", Roles.Order())}");
            else if (point.Role is PointRole.MeasuredPower or PointRole.Setpoint or PointRole.MinPower or PointRole.MaxPower && point.Unit != "kW")
                problem(point.Name, $"unit '{point.Unit}': OCPP power points are in kW");
            else if (point.Role is PointRole.EnergyImported or PointRole.EnergyExported or PointRole.BatteryCapacity && point.Unit != "kWh")
                problem(point.Name, $"unit '{point.Unit}': OCPP energy points are in kWh");
        }
    }
}
