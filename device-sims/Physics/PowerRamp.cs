namespace Gateway.DeviceSims.Physics;

/// <summary>A power that follows its target at a bounded rate, as converters do.</summary>
public static class PowerRamp
{
    /// <summary>
    /// The power after <paramref name="seconds"/>: <paramref name="current"/> moved toward
    /// <paramref name="target"/> by at most <paramref name="ratePerSecond"/> per second.
    /// </summary>
    public static double Step(double current, double target, double ratePerSecond, double seconds)
    {
        var maxStep = ratePerSecond * seconds;
        var delta = target - current;
        return Math.Abs(delta) <= maxStep ? target : current + Math.Sign(delta) * maxStep;
    }
}
