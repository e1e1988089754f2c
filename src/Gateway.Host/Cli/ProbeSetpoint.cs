using System.Globalization;

namespace Gateway.Host.Cli;

/// <summary>A setpoint as a field engineer types it: kW (<c>2</c>, <c>2kW</c>, <c>-3.5 kW</c>) or % of the device's rating (<c>50%</c>).</summary>
/// <param name="Value">The number typed.</param>
/// <param name="IsPercent">Whether it is % of the rating rather than kW.</param>
internal readonly record struct ProbeSetpoint(double Value, bool IsPercent)
{
    /// <summary>Parses <paramref name="text"/>; false when it is neither kW nor %.</summary>
    public static bool TryParse(string text, out ProbeSetpoint setpoint)
    {
        setpoint = default;
        var t = text.Trim();
        var percent = false;
        if (t.EndsWith('%')) { percent = true; t = t[..^1]; }
        else if (t.EndsWith("kw", StringComparison.OrdinalIgnoreCase)) t = t[..^2];
        if (!double.TryParse(t.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value)) return false;
        if (percent && value is < -100 or > 100) return false;
        setpoint = new ProbeSetpoint(value, percent);
        return true;
    }
}
