namespace Gateway.Drivers.Serial;

/// <summary>Opens the serial channel a line's settings ask for.</summary>
internal static class SerialChannels
{
    /// <summary>
    /// Opens <paramref name="devicePath"/> with the driver of <see cref="SerialLineSettings.Driver"/>:
    /// <see cref="SerialPortChannel"/> (System.IO.Ports, the default) or <see cref="LinuxSerialPort"/> (termios, for kernel RS-485 mode).
    /// </summary>
    /// <exception cref="IOException">The port cannot be opened or configured; the message carries the errno and a hint.</exception>
    /// <exception cref="ArgumentException">Unsupported settings.</exception>
    public static ISerialChannel Open(string devicePath, SerialLineSettings settings, TimeProvider? timeProvider = null) =>
        settings.Validate().Driver switch
        {
            SerialDriver.Termios => LinuxSerialPort.Open(devicePath, settings, timeProvider),
            _ => SerialPortChannel.Open(devicePath, settings, timeProvider),
        };
}
