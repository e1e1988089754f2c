namespace Gateway.Drivers.Devices;

/// <summary>How far a measured value can be trusted.</summary>
public enum MeasurementQuality
{
    /// <summary>Read just now and inside the point's valid range.</summary>
    Good,
    /// <summary>The last value read, older than the caller accepts (the device stopped answering).</summary>
    Stale,
    /// <summary>Read just now, but outside the point's valid range: do not act on it.</summary>
    OutOfRange,
    /// <summary>The device does not provide the value (SunSpec "not implemented", missing model, not plugged in).</summary>
    Absent,
}
