using System.Globalization;
using Gateway.Drivers.Devices;

namespace Gateway.Host.Cli;

/// <summary>
/// The read-only verification of a commissioning session, and how a reading shows the setpoint in force: pure functions
/// of a profile and a reading, so they are tested without a device.
/// </summary>
internal static class CommissionChecks
{
    /// <summary>Scale factors beyond 10^±10 are no real device's: a register at the wrong offset, or garbage.</summary>
    public const int MaxScaleFactorMagnitude = 10;

    /// <summary>
    /// Every point of <paramref name="reading"/> checked against <paramref name="profile"/>: readable, inside the profile's limits,
    /// the measured power inside the device's own limits, the points the gateway needs present; and every scale factor sane.
    /// </summary>
    public static IReadOnlyList<CommissionCheck> Verify(DeviceProfile profile, DeviceReading reading, IReadOnlyDictionary<string, int?> scaleFactors, double? ratingKw)
    {
        var needed = Needed(profile, ratingKw);
        var checks = new List<CommissionCheck>();
        foreach (var m in reading.Measurements)
        {
            var point = profile.FindPoint(m.Point)!;
            var role = Kebab(m.Role.ToString());
            CommissionCheck Check(CommissionVerdict verdict, string why) => new(m.Point, role, m.Value, m.Unit, m.Text, verdict, why);
            switch (m.Quality)
            {
                case MeasurementQuality.OutOfRange:
                    checks.Add(Check(CommissionVerdict.Fail, $"outside the profile's limits {Limits(point.Limits)} — wrong offset, scale or word order?"));
                    continue;
                case MeasurementQuality.Absent:
                    checks.Add(needed.Contains(m.Point)
                        ? Check(CommissionVerdict.Fail, "absent, and the gateway needs it")
                        : Check(CommissionVerdict.Note, "absent (the device does not report it)"));
                    continue;
                case MeasurementQuality.Stale:
                    checks.Add(Check(CommissionVerdict.Fail, "stale: the device stopped updating it"));
                    continue;
            }
            if (m.Role == PointRole.MeasuredPower && m.Value is { } kw && OutsideDeviceLimits(kw, reading) is { } why)
            {
                checks.Add(Check(CommissionVerdict.Fail, why));
                continue;
            }
            checks.Add(Check(CommissionVerdict.Ok, point.Limits == PointLimits.None ? "readable" : $"readable, inside {Limits(point.Limits)}"));
        }
        foreach (var (name, sf) in scaleFactors.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            checks.Add(sf switch
            {
                null => new CommissionCheck(name, "scale-factor", null, "", null, CommissionVerdict.Note, "not implemented (0x8000): the points it scales read absent"),
                { } v when Math.Abs(v) > MaxScaleFactorMagnitude => new CommissionCheck(name, "scale-factor", v, "", null, CommissionVerdict.Fail,
                    $"10^{v} is no real device's scale factor — a register at the wrong offset?"),
                { } v => new CommissionCheck(name, "scale-factor", v, "", null, CommissionVerdict.Ok, $"10^{v}"),
            });
        }
        return checks;
    }

    /// <summary>
    /// The setpoint in force as <paramref name="reading"/> shows it, in kW, and whether the device is in its fall-back state:
    /// a kW setpoint at 0, or a % limit dropped (its enable point off, or 100 %), which counts as the rating.
    /// </summary>
    public static (double? SetpointKw, bool FallenBack) SetpointInForce(DeviceProfile profile, DeviceReading reading, double? ratingKw)
    {
        var point = profile.FindRole(PointRole.Setpoint);
        if (point is null || reading.Find(point.Name) is not { } m || !m.TryGetGood(out var value)) return (null, false);
        if (point.PercentOf is null) return (value, Math.Abs(value) < 0.05);
        double? basis = reading.Find(point.PercentOf) is { } b && b.TryGetGood(out var basisKw) && basisKw > 0 ? basisKw : ratingKw;
        var enabled = point.EnablePoint is not { } enable || (reading.Find(enable) is { } e && e.TryGetGood(out var on) && on >= 0.5);
        var percent = enabled ? value : 100;
        return (basis is { } kw ? percent / 100 * kw : null, percent >= 100 - 1e-6);
    }

    /// <summary>Measured power in kW, or null when absent.</summary>
    public static double? PowerKw(DeviceReading reading) =>
        reading.Find(PointRole.MeasuredPower) is { } p && p.TryGetGood(out var kw) ? kw : null;

    // The points without which the gateway cannot trade with the device.
    private static HashSet<string> Needed(DeviceProfile profile, double? ratingKw)
    {
        var needed = new HashSet<string>(StringComparer.Ordinal);
        if (profile.FindRole(PointRole.MeasuredPower) is { } power) needed.Add(power.Name);
        if (profile.FindRole(PointRole.Setpoint) is { } setpoint)
        {
            needed.Add(setpoint.Name);
            if (setpoint.PercentOf is { } basis && ratingKw is null) needed.Add(basis);
            if (setpoint.EnablePoint is { } enable) needed.Add(enable);
        }
        if (profile.FindRole(PointRole.Watchdog) is { IsWritable: true } watchdog) needed.Add(watchdog.Name);
        return needed;
    }

    private static string? OutsideDeviceLimits(double kw, DeviceReading reading)
    {
        // 5 % and 0.1 kW of slack: meters and converters are not exact, and a ramp may overshoot a little.
        if (reading.Find(PointRole.MaxPower) is { } max && max.TryGetGood(out var hi) && kw > hi * 1.05 + 0.1)
            return $"{Num(kw)} kW is above the device's own maximum {Num(hi)} kW ({max.Point}) — sign convention or scale wrong?";
        if (reading.Find(PointRole.MinPower) is { } min && min.TryGetGood(out var lo) && kw < lo * 1.05 - 0.1)
            return $"{Num(kw)} kW is below the device's own minimum {Num(lo)} kW ({min.Point}) — sign convention or scale wrong?";
        return null;
    }

    private static string Limits(PointLimits limits) => $"[{(limits.Min is { } lo ? Num(lo) : "−∞")}, {(limits.Max is { } hi ? Num(hi) : "∞")}]";

    internal static string Num(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    internal static string Kebab(string pascal) =>
        string.Concat(pascal.Select((c, i) => i > 0 && char.IsUpper(c) ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
