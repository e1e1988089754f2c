using static Gateway.Drivers.Serial.Interop.TermiosConstants;

namespace Gateway.Drivers.Serial;

/// <summary>What a field engineer should check when a serial port fails with an errno: the usual causes, in plain words.</summary>
internal static class SerialErrorHint
{
    /// <summary>A hint for <paramref name="errno"/> from <paramref name="call"/> on <paramref name="devicePath"/>, or null when there is none to give.</summary>
    /// <param name="errno">The errno the call failed with.</param>
    /// <param name="call">open, tcgetattr, tcsetattr, cfsetspeed, TIOCSRS485, read or write.</param>
    /// <param name="devicePath">The port.</param>
    /// <param name="settings">The line settings asked for.</param>
    public static string? For(int errno, string call, string devicePath, SerialLineSettings settings) => (errno, call) switch
    {
        (ENOTTY or EOPNOTSUPP, "TIOCSRS485") =>
            "this port's driver has no kernel RS-485 mode (a pseudo-terminal, a plain 16550, most USB adapters): with an adapter that switches direction itself drop rs485=on, else use a UART whose driver supports it",
        (EINVAL, "TIOCSRS485") => $"the driver refuses {settings.Rs485}: check the RTS level and delays",
        (ENOENT, _) => "no such device: is the adapter plugged in? (ls /dev/ttyUSB* /dev/ttyACM* /dev/serial/by-id/)",
        (EACCES, _) => "permission denied: add the user to the 'dialout' group (sudo usermod -aG dialout $USER, then log in again)",
        (EBUSY, _) => $"the port is in use by another program (fuser {devicePath})",
        (ENOTTY, _) => "this is not a serial port",
        (ENXIO or EIO, _) => "the adapter is gone or failing: unplugged, or a loose cable?",
        (EINVAL, "tcsetattr") when settings.Parity != SerialParity.None =>
            $"this port does not support parity {settings.Parity.ToString()[0]} (or {settings}): try parity=N, or check the device's line settings",
        (EINVAL, "tcsetattr" or "cfsetspeed") => $"this port does not support {settings}",
        _ => null,
    };
}
