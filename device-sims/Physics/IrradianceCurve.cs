using Gateway.Rigs;

namespace Gateway.DeviceSims.Physics;

/// <summary>
/// Plane-of-array irradiance at a simulated time: a table interpolated linearly, or a clear-sky
/// half-sine between sunrise and sunset, dimmed by clouds drawn from a seeded generator in
/// 15-minute slots (interpolated between slots so the output does not jump).
/// </summary>
public sealed class IrradianceCurve(IrradianceProfile profile)
{
    private static readonly TimeSpan Slot = TimeSpan.FromMinutes(15);

    /// <summary>Irradiance at <paramref name="at"/>, W/m².</summary>
    public double WPerM2(DateTimeOffset at)
    {
        var tod = at.UtcDateTime.TimeOfDay;
        var clear = profile.Points.Count > 0 ? Interpolate(tod) : ClearSky(tod);
        return clear * (1 - profile.Cloudiness * Cloud(at));
    }

    private double ClearSky(TimeSpan tod)
    {
        if (tod <= profile.Sunrise || tod >= profile.Sunset) return 0;
        var x = (tod - profile.Sunrise) / (profile.Sunset - profile.Sunrise);
        return profile.PeakWPerM2 * Math.Sin(Math.PI * x);
    }

    private double Interpolate(TimeSpan tod)
    {
        var pts = profile.Points;
        if (tod <= pts[0].TimeOfDay) return pts[0].WPerM2;
        for (var i = 1; i < pts.Count; i++)
        {
            if (tod > pts[i].TimeOfDay) continue;
            var (t0, g0) = pts[i - 1];
            var (t1, g1) = pts[i];
            return t1 == t0 ? g1 : g0 + (g1 - g0) * ((tod - t0) / (t1 - t0));
        }
        return pts[^1].WPerM2;
    }

    // Cloud cover in [0, 1): a value per slot from the seed, linear between slot starts.
    private double Cloud(DateTimeOffset at)
    {
        if (profile.Cloudiness <= 0) return 0;
        var ticks = at.UtcTicks;
        var slot = ticks / Slot.Ticks;
        var frac = (double)(ticks % Slot.Ticks) / Slot.Ticks;
        return SlotCover(slot) * (1 - frac) + SlotCover(slot + 1) * frac;
    }

    // A fixed mix of seed and slot (SplitMix64): HashCode.Combine is salted per process, which gave every run other clouds.
    private double SlotCover(long slot)
    {
        var z = unchecked((ulong)profile.CloudsSeed * 0x9E3779B97F4A7C15UL + (ulong)slot + 0x632BE59BD9B4E019UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        z ^= z >> 31;
        return (z >> 11) * (1.0 / (1UL << 53));
    }
}
