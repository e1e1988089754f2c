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
    public static SetpointBounds From(ProfilePoint setpoint, DeviceReading reading)
    {
        // The device's own limits are read fresh each time: they change with SoC and plug state.
        var lowKw = double.NegativeInfinity;
        var highKw = double.PositiveInfinity;
        string? lowBy = null, highBy = null;
        if (reading.Find(PointRole.MinPower) is { } min && min.TryGetGood(out var minKw)) { lowKw = minKw; lowBy = $"device limit {min.Point}"; }
        if (reading.Find(PointRole.MaxPower) is { } max && max.TryGetGood(out var maxKw)) { highKw = maxKw; highBy = $"device limit {max.Point}"; }
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
    /// <exception cref="InvalidOperationException">The % basis is missing, not good or not positive; the message says which.</exception>
    public static (double Value, double PercentBasisKw) ToPointValue(ProfilePoint setpoint, DeviceReading reading, double targetKw, double requestedKw)
    {
        if (setpoint.PercentOf is not { } basisName) return (targetKw, 0);
        var basis = reading.Find(basisName);
        if (basis is null || !basis.TryGetGood(out var basisKw) || basisKw <= 0)
            throw new InvalidOperationException($"cannot turn {requestedKw} kW into % for '{setpoint.Name}': {basisName} is {basis?.Quality.ToString().ToLowerInvariant() ?? "missing"}");
        return (targetKw / basisKw * 100, basisKw);
    }

    /// <summary><paramref name="requestedKw"/> moved into the bounds, and the limit that moved it (null when none did).</summary>
    public (double Kw, string? ClampedBy) Clamp(double requestedKw)
    {
        if (requestedKw < LowKw) return (LowKw, LowBy);
        if (requestedKw > HighKw) return (HighKw, HighBy);
        return (requestedKw, null);
    }
}
