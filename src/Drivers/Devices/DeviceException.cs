namespace Gateway.Drivers.Devices;

/// <summary>
/// The one exception a device driver throws: what went wrong (<see cref="Kind"/>), whether trying again may help
/// (<see cref="IsTransient"/>), and the transport's own exception as <see cref="Exception.InnerException"/>. Callers
/// (the poller, the dispatcher, the command line) decide on retries and exit codes from these, never from a
/// transport's exception types.
/// </summary>
public class DeviceException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="device">The device in plain words (endpoint and unit, or topic prefix), for messages.</param>
    /// <param name="message">What went wrong in plain words, naming the device.</param>
    /// <param name="isTransient">Whether the same request may succeed if tried again.</param>
    /// <param name="innerException">The transport's exception, kept for logs.</param>
    /// <param name="deviceCode">The code the device answered with (a Modbus exception code), when it gave one.</param>
    public DeviceException(DeviceErrorKind kind, string device, string message, bool isTransient, Exception? innerException = null, int? deviceCode = null)
        : base(message, innerException)
    {
        Kind = kind;
        Device = device;
        IsTransient = isTransient;
        DeviceCode = deviceCode;
    }

    /// <summary>What went wrong.</summary>
    public DeviceErrorKind Kind { get; }

    /// <summary>The device in plain words.</summary>
    public string Device { get; }

    /// <summary>Whether the same request may succeed if tried again (a timeout, a busy device, a dropped connection).</summary>
    public bool IsTransient { get; }

    /// <summary>The code the device answered with (a Modbus exception code), or null.</summary>
    public int? DeviceCode { get; }

    /// <summary>
    /// <paramref name="error"/> in the contract's terms, for a peer reached through a transport of this library (a
    /// device, or a broker the gateway also talks to): a <see cref="DeviceException"/> as it is, a transport's
    /// exception translated (named after <paramref name="peer"/>, the original inside), or null when it is no failure
    /// of the peer (a cancellation the caller asked for, a disposed client, a bug).
    /// </summary>
    public static DeviceException? FromTransport(Exception error, string peer) =>
        error as DeviceException ?? DeviceFailures.Translate(error, peer);
}
