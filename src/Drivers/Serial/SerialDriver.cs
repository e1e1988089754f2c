namespace Gateway.Drivers.Serial;

/// <summary>Which implementation opens and drives a serial port.</summary>
public enum SerialDriver
{
    /// <summary>
    /// <see cref="System.IO.Ports.SerialPort"/> (the default): the maintained .NET serial port. Endpoint parameter
    /// <c>driver=ports</c>.
    /// </summary>
    Ports,

    /// <summary>
    /// Our own termios port (<see cref="LinuxSerialPort"/>): needed for kernel RS-485 mode (<c>rs485=on</c>), which
    /// <see cref="System.IO.Ports.SerialPort"/> cannot switch on. Endpoint parameter <c>driver=termios</c>.
    /// </summary>
    Termios,
}
