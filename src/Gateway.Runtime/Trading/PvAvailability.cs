namespace Gateway.Runtime.Trading;

/// <summary>
/// What each PV could deliver this round. A PV running free shows it: its output is its available power. A PV held at
/// an export limit shows only the limit, and quoting that would keep it capped round after round even when buyers
/// appear. Where the inverter reports plane-of-array irradiance, its yield per W/m², learned while it ran free, turns
/// the irradiance into the power it could deliver; without a sensor, or before anything is learned, its output is all
/// the gateway knows, and that is what it quotes.
/// </summary>
/// <remarks>
/// The yield is learned rather than taken from the nameplate so that soiling, shading, orientation and the inverter's
/// own losses are in it; it moves with an exponential average, so a dusty week or a warm afternoon are followed.
/// Low light is left out of the learning: at dawn the ratio is noise.
/// </remarks>
internal sealed class PvAvailability
{
    /// <summary>Below this irradiance a free-running PV's ratio is not learned.</summary>
    public const double LearningFloorWPerM2 = 100;

    /// <summary>Weight of the newest free-running sample in the learned yield.</summary>
    public const double LearningWeight = 0.3;

    private readonly Dictionary<string, double> _yieldKwPerWPerM2 = new(StringComparer.Ordinal);

    /// <summary>The learned yield of <paramref name="deviceId"/>, kW per W/m², if any.</summary>
    public double? YieldKwPerWPerM2(string deviceId) => _yieldKwPerWPerM2.TryGetValue(deviceId, out var k) ? k : null;

    /// <summary>
    /// The power <paramref name="deviceId"/> could deliver now, kW: its measured output unless it is held at its limit
    /// and the irradiance says more; never above <paramref name="ratedKw"/>, never below what it delivers.
    /// </summary>
    /// <param name="deviceId">The inverter.</param>
    /// <param name="measuredKw">Its output now.</param>
    /// <param name="ratedKw">Its rated power.</param>
    /// <param name="heldAtLimit">Whether it reports being throttled below what the array could give.</param>
    /// <param name="irradianceWPerM2">Plane-of-array irradiance, when the inverter has a sensor and it reads good.</param>
    public double AvailableKw(string deviceId, double measuredKw, double ratedKw, bool heldAtLimit, double? irradianceWPerM2)
    {
        var measured = Math.Max(0, measuredKw);
        if (irradianceWPerM2 is not { } g || g < 0) return measured;
        if (!heldAtLimit)
        {
            // At its rating the inverter clips, and the ratio would understate the array.
            if (g >= LearningFloorWPerM2 && measured > 0 && measured < 0.98 * ratedKw)
            {
                var sample = measured / g;
                _yieldKwPerWPerM2[deviceId] = _yieldKwPerWPerM2.TryGetValue(deviceId, out var k) ? k + LearningWeight * (sample - k) : sample;
            }

            return measured;
        }

        if (!_yieldKwPerWPerM2.TryGetValue(deviceId, out var yieldKw)) return measured;
        return Math.Clamp(yieldKw * g, measured, Math.Max(measured, ratedKw));
    }
}
