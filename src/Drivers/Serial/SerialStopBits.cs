namespace Gateway.Drivers.Serial;

/// <summary>Number of stop bits of a serial line.</summary>
public enum SerialStopBits
{
    /// <summary>One stop bit.</summary>
    One,
    /// <summary>Two stop bits.</summary>
    Two,
}
