namespace Gateway.Drivers.Devices;

/// <summary>
/// The range a setpoint may take right now, in kW, and which limit sets each end: the device's live
/// min-power/max-power points (when good) and the setpoint point's profile limits. Every driver clamps
/// through it, so a setpoint never exceeds what the device says it can do, whatever the transport.
/// </summary>
/// <param name="LowKw">Lowest allowed setpoint (−∞ when nothing bounds it).</param>
/// <param name="LowBy">Which limit set <paramref name="LowKw"/>.</param>
/// <param name="HighKw">Highest allowed setpoint (+∞ when nothing bounds it).</param>
/// <param name="HighBy">Which limit set <paramref name="HighKw"/>.</param>
internal readonly record struct SetpointBounds(double LowKw, string? LowBy, double HighKw, string? HighBy)
{
    /// <summary>The bounds for <paramref name="setpoint"/> given a fresh <paramref name="reading"/> of the device.</summary>
    /// <param name="setpoint">The profile's setpoint point.</param>
    /// <param name="reading">A fresh reading of the device.</param>
    /// <param name="ratingKw">The device's rating from its nameplate: the upper bound when the device reports no max-power point.</param>
    public static SetpointBounds From(ProfilePoint setpoint, DeviceReading reading, double? ratingKw = null)
    {
        // The device's own limits are read fresh each time: they change with SoC and plug state.
        var lowKw = double.NegativeInfinity;
        var highKw = double.PositiveInfinity;
        string? lowBy = null, highBy = null;
        if (reading.Find(PointRole.MinPower) is { } min && min.TryGetGood(out var minKw)) { lowKw = minKw; lowBy = $"device limit {min.Point}"; }
        if (reading.Find(PointRole.MaxPower) is { } max && max.TryGetGood(out var maxKw)) { highKw = maxKw; highBy = $"device limit {max.Point}"; }
        else if (ratingKw is { } rating) { highKw = rating; highBy = "the rating given"; }
        if (setpoint.Unit == "kW")
        {
            if (setpoint.Limits.Min is { } plo && plo > lowKw) { lowKw = plo; lowBy = $"profile limit of {setpoint.Name}"; }
            if (setpoint.Limits.Max is { } phi && phi < highKw) { highKw = phi; highBy = $"profile limit of {setpoint.Name}"; }
        }
        if (lowKw > highKw)
        {
            // Contradicting limits leave no safe value but the device's own fallback.
            lowKw = highKw = 0;
            lowBy = highBy = "contradicting limits (min above max)";
        }
        return new SetpointBounds(lowKw, lowBy, highKw, highBy);
    }

    /// <summary>
    /// <paramref name="targetKw"/> in the setpoint point's own unit: kW as is, or % of its <c>percentOf</c> point (whose good
    /// reading is returned as the basis, 0 for a kW point).
    /// </summary>
    /// <param name="setpoint">The profile's setpoint point.</param>
    /// <param name="reading">A fresh reading of the device.</param>
    /// <param name="targetKw">The setpoint after clamping, kW.</param>
    /// <param name="requestedKw">What was asked for, kW (for the message).</param>
    /// <param name="ratingKw">The device's rating from its nameplate: the basis when the device's own basis point is not good.</param>
    /// <exception cref="InvalidOperationException">The % basis is missing, not good or not positive and no rating was given; the message says which.</exception>
    public static (double Value, double PercentBasisKw) ToPointValue(ProfilePoint setpoint, DeviceReading reading, double targetKw, double requestedKw, double? ratingKw = null)
    {
        if (setpoint.PercentOf is not { } basisName) return (targetKw, 0);
        var basis = reading.Find(basisName);
        if (basis is not null && basis.TryGetGood(out var basisKw) && basisKw > 0) return (targetKw / basisKw * 100, basisKw);
        if (ratingKw is { } rating && rating > 0) return (targetKw / rating * 100, rating);
        throw new InvalidOperationException(
            $"cannot turn {requestedKw.ToString(System.Globalization.CultureInfo.InvariantCulture)} kW into % for '{setpoint.Name}': {basisName} is {basis?.Quality.ToString().ToLowerInvariant() ?? "missing"} — give the device's rating (from its nameplate)");
    }

    /// <summary><paramref name="requestedKw"/> moved into the bounds, and the limit that moved it (null when none did).</summary>
    public (double Kw, string? ClampedBy) Clamp(double requestedKw)
    {
        if (requestedKw < LowKw) return (LowKw, LowBy);
        if (requestedKw > HighKw) return (HighKw, HighBy);
        return (requestedKw, null);
    }
}
